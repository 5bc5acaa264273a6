package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/journal"
)

// TestSystemdUnits checks both unit files with systemd-analyze verify (CI
// installs Debian's systemd), with ExecStart pointed at a real binary, and
// that they ask for what the daemon does: Type=notify, reload by SIGHUP, a
// watchdog, and for the system unit the sandbox the README promises.
func TestSystemdUnits(t *testing.T) {
	t.Parallel()
	analyze := needs.Program(t, "systemd", "systemd-analyze")
	bin := binary(t)
	for _, tc := range []struct {
		file, execPath string
		user           bool
		must           []string
	}{
		{"rekindle.service", "/usr/local/bin/rekindle", false, []string{
			"Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "DynamicUser=yes",
			"StateDirectory=rekindle", "ConfigurationDirectory=rekindle", "ProtectSystem=strict", "ProtectHome=yes",
			"NoNewPrivileges=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
			"#LoadCredential=api_token:/etc/rekindle/api_token",
		}},
		{"user/rekindle.service", "/usr/local/bin/rekindle", true, []string{
			"Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "WantedBy=default.target",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", "dist", "systemd", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tc.must {
				if !strings.Contains(string(src), m) {
					t.Errorf("%s lacks %q", tc.file, m)
				}
			}
			dir := t.TempDir()
			unit := filepath.Join(dir, "rekindle.service")
			text := strings.ReplaceAll(string(src), tc.execPath, bin)
			if !tc.user {
				// The README's credential line, with a file that exists.
				cred := filepath.Join(dir, "api_token")
				os.WriteFile(cred, []byte("0123456789abcdef0123"), 0o600)
				text = strings.Replace(text, "#LoadCredential=api_token:/etc/rekindle/api_token", "LoadCredential=api_token:"+cred, 1)
			}
			os.WriteFile(unit, []byte(text), 0o644)
			args := []string{"verify", unit}
			cmd := exec.Command(analyze, args...)
			if tc.user {
				run := filepath.Join(dir, "run")
				os.Mkdir(run, 0o700)
				cmd = exec.Command(analyze, append([]string{"--user"}, args...)...)
				cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run)
			}
			if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
				t.Errorf("systemd-analyze verify %s: %v\n%s", tc.file, err, out)
			}
		})
	}
}

// TestUserUnitSharesTheCLIState: the user service and `rekindle` in the
// shell use one state file, on systemd 252 (Debian 12, where StateDirectory=
// in a user unit means ~/.config) as on current systemd. The environment
// the unit gives the service is worked out from the unit as each version
// would; the state path is then resolved as rekindle does.
func TestUserUnitSharesTheCLIState(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "dist", "systemd", "user", "rekindle.service"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	unitEnv := func(version int) map[string]string {
		env := map[string]string{"HOME": home}
		for _, line := range strings.Split(string(src), "\n") {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "Environment="); ok {
				for _, kv := range strings.Fields(strings.Trim(v, `"`)) {
					k, val, _ := strings.Cut(kv, "=")
					env[k] = val
				}
			}
			if v, ok := strings.CutPrefix(line, "StateDirectory="); ok {
				base := filepath.Join(home, ".local", "state") // systemd 254 and later
				if version < 254 {
					base = filepath.Join(home, ".config")
				}
				env["STATE_DIRECTORY"] = filepath.Join(base, strings.Fields(v)[0])
			}
		}
		return env
	}
	resolve := func(env map[string]string) string {
		for _, k := range []string{"STATE_DIRECTORY", "XDG_STATE_HOME", "HOME"} {
			t.Setenv(k, env[k])
		}
		p, err := journal.DefaultPath()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cli := resolve(map[string]string{"HOME": home})
	for _, v := range []int{252, 257} {
		if got := resolve(unitEnv(v)); got != cli {
			t.Errorf("on systemd %d the user service uses %s; the CLI uses %s", v, got, cli)
		}
	}
}

// TestUserUnitInstallRecipe runs the guide's install line for the user
// unit with rekindle in a GOBIN of its own: the unit then starts that
// binary, and systemd-analyze accepts it.
func TestUserUnitInstallRecipe(t *testing.T) {
	t.Parallel()
	analyze := needs.Program(t, "systemd", "systemd-analyze")
	needs.Program(t, "sed", "sed")
	readme, err := os.ReadFile(filepath.Join("..", "..", "docs", "service.md"))
	if err != nil {
		t.Fatal(err)
	}
	var recipe string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, `sed "s|^ExecStart=`) {
			recipe = strings.TrimSpace(strings.SplitN(line, "  #", 2)[0])
		}
	}
	if recipe == "" {
		t.Fatal("docs/service.md has no install line for the user unit")
	}
	gobin := filepath.Join(t.TempDir(), "elsewhere", "bin")
	os.MkdirAll(gobin, 0o755)
	b, _ := os.ReadFile(binary(t))
	os.WriteFile(filepath.Join(gobin, "rekindle"), b, 0o755)
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".config", "systemd", "user"), 0o755)
	cmd := exec.Command("sh", "-c", recipe)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "HOME="+home, "PATH="+gobin+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", recipe, err, out)
	}
	unit := filepath.Join(home, ".config", "systemd", "user", "rekindle.service")
	got, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ExecStart=" + filepath.Join(gobin, "rekindle") + " run\n"; !strings.Contains(string(got), want) {
		t.Errorf("the installed unit lacks %q", want)
	}
	run := filepath.Join(home, "run")
	os.Mkdir(run, 0o700)
	v := exec.Command(analyze, "--user", "verify", unit)
	v.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run, "HOME="+home)
	if out, err := v.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
