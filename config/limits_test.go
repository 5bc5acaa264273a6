package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileConfigs: deep nesting, huge or endless files and FIFOs are
// errors that name the file and what is wrong, found before parsing, fast
// and in little memory.
func TestHostileConfigs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big-secret")
	os.WriteFile(big, []byte(strings.Repeat("x", MaxSecretSize+1)), 0o600)
	huge := filepath.Join(dir, "huge.toml")
	f, _ := os.Create(huge)
	f.Truncate(MaxConfigSize + 1) // sparse: nothing is written
	f.Close()

	for _, tc := range []struct {
		name, config string // config text, or @path to load that file
		want         string
	}{
		{"200,000 nested inline tables", "a = " + strings.Repeat("{b = ", 200000) + "1" + strings.Repeat("}", 200000) + "\n",
			"config.toml:1:165: arrays and inline tables nest more than 32 deep"},
		{"2 million nested arrays", "a = " + strings.Repeat("[", 2000000) + strings.Repeat("]", 2000000) + "\n",
			"nest more than 32 deep"},
		{"brackets inside strings do not count", "timezone = \"UTC\"\n# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n[[contact]]\nid = \"x\"\nname = \"" + strings.Repeat("[", 40) + "\"\nnotes = '''\n" + strings.Repeat("{", 40) + "\n'''\n", ""},
		{"api_token_file is /dev/zero", "listen = \"127.0.0.1:0\"\napi_token_file = \"/dev/zero\"\n", "/dev/zero is not a regular file (a device)"},
		{"api_token_file is a FIFO", "listen = \"127.0.0.1:0\"\napi_token_file = \"" + fifo + "\"\n", "is not a regular file (a FIFO)"},
		{"a secret file of 64 KiB and more", "listen = \"127.0.0.1:0\"\napi_token_file = \"" + big + "\"\n", "at most 65536 are read"},
		{"the config is a FIFO", "@" + fifo, "is not a regular file (a FIFO)"},
		{"the config is over 256 MiB", "@" + huge, "at most 268435456 are read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := strings.TrimPrefix(tc.config, "@")
			if !strings.HasPrefix(tc.config, "@") {
				path = filepath.Join(dir, "config.toml")
				os.WriteFile(path, []byte(tc.config), 0o600)
			}
			began := time.Now()
			_, err := Load(path)
			took := time.Since(began)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a sound config was refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			if took > 5*time.Second {
				t.Errorf("took %v to refuse", took)
			}
		})
	}
}

// TestSecretFilePaths: a relative *_file path is a credential: read from
// $CREDENTIALS_DIRECTORY under systemd, else beside the config file.
func TestSecretFilePaths(t *testing.T) {
	conf := t.TempDir()
	creds := t.TempDir()
	os.WriteFile(filepath.Join(conf, "api_token"), []byte("token-beside-the-config\n"), 0o600)
	os.WriteFile(filepath.Join(creds, "api_token"), []byte("token-from-credentials\n"), 0o600)
	path := filepath.Join(conf, "config.toml")
	os.WriteFile(path, []byte("listen = \"127.0.0.1:0\"\napi_token_file = \"api_token\"\n"), 0o600)
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	cfg, err := Load(path)
	if err != nil || cfg.APIToken.Reveal() != "token-beside-the-config" {
		t.Fatalf("without CREDENTIALS_DIRECTORY: %v", err)
	}
	t.Setenv("CREDENTIALS_DIRECTORY", creds)
	cfg, err = Load(path)
	if err != nil || cfg.APIToken.Reveal() != "token-from-credentials" {
		t.Fatalf("with CREDENTIALS_DIRECTORY: %v", err)
	}
}

// TestReadLimitedReadsOnce: a file is read into one buffer of its size, not
// one grown from 512 bytes (which allocates about twice the file and copies
// it a dozen times over); a file of the limit exactly is read and one byte
// more is refused.
func TestReadLimitedReadsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.toml")
	want := strings.Repeat("[[contact]]\nname = \"Alice\"\n", 40000) // ~1 MB
	os.WriteFile(path, []byte(want), 0o600)
	var got []byte
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	n := allocated(func() {
		b, err := readLimited(path, MaxConfigSize, "config file")
		if err != nil {
			t.Fatal(err)
		}
		got = b
	})
	if string(got) != want {
		t.Fatalf("read %d bytes; want the file's %d", len(got), len(want))
	}
	if limit := uint64(len(want)) + 8<<10; n > limit {
		t.Errorf("reading a %d-byte file allocated %d bytes; want at most %d (one buffer of its size)", len(want), n, limit)
	}

	// At the limit exactly, and one byte over it.
	os.WriteFile(path, []byte(want+"more"), 0o600)
	if b, err := readLimited(path, int64(len(want))+4, "config file"); err != nil || string(b) != want+"more" {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(b), err)
	}
	if _, err := readLimited(path, int64(len(want))+3, "config file"); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("a file over the limit: %v", err)
	}
}
