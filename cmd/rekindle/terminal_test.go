package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMemoryLimitFollowsTheWork: the soft memory limit is 200 MiB for a
// small config and 14 times the file's size for a big one (28 for one run
// of the daemon).
func TestMemoryLimitFollowsTheWork(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	limitMemory = true
	defer func() { limitMemory = false }()
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small.toml"), filepath.Join(dir, "big.toml")
	os.WriteFile(small, []byte("[[contact]]\nname = \"A\"\n"), 0o600)
	f, _ := os.Create(big)
	f.Truncate(100 << 20) // sparse
	f.Close()
	sizeMemory(small, configMemory)
	if got := debug.SetMemoryLimit(-1); got != minMemoryLimit {
		t.Errorf("small config: limit %d; want %d", got, minMemoryLimit)
	}
	sizeMemory(big, configMemory)
	if got := debug.SetMemoryLimit(-1); got != 14*(100<<20) {
		t.Errorf("100 MiB config: limit %d; want 14 times that", got)
	}
	sizeMemory(big, runMemory)
	if got := debug.SetMemoryLimit(-1); got != 28*(100<<20) {
		t.Errorf("one run, 100 MiB config: limit %d; want 28 times that", got)
	}
}

// openTerminal opens a pseudo-terminal: what is written to term shows on
// the returned function's result, as a terminal would get it.
func openTerminal(t *testing.T) (term *os.File, shown func() string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&buf, ptmx); close(done) }()
	return term, func() string {
		term.Close()
		<-done
		return buf.String()
	}
}

// hostileName holds a clipboard write (OSC 52), a title change, CSI in its
// 7-bit and C1 forms, a carriage return and a right-to-left override.
const hostileName = "Eve\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07\x1b[2J\u009b31m\r\u202egnp.exe"

// TestTerminalShowsNoEscapes: a name, a note, a mail header and an error
// message that carry escape sequences reach a real (pseudo-)terminal
// without them from status, plan, history, sync --dry-run and an error;
// to a pipe they are written as they are. Before, only history stripped
// them.
func TestTerminalShowsNoEscapes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	mail := filepath.Join(dir, "mail")
	for _, d := range []string{"INBOX/cur", "INBOX/new", "INBOX/tmp"} {
		os.MkdirAll(filepath.Join(mail, d), 0o700)
	}
	os.WriteFile(filepath.Join(mail, "INBOX/cur/1.a:2,"), []byte("From: Ana <ana@example.org>\r\nTo: me@example.org\r\n"+
		"Date: Mon, 30 Nov 2026 18:00:00 +0000\r\nMessage-ID: <r1@example.org>\r\n"+
		"Auto-Submitted: auto-replied\x1b]52;c;cm0gLXJmIH4=\x07\u202e\r\n\r\nbody\r\n"), 0o600)
	os.WriteFile(cfg, []byte("timezone = \"UTC\"\n[sources.home]\ntype = \"maildir\"\npath = \"mail\"\n"+
		"[[contact]]\nname = "+tomlString(hostileName)+"\nemail = [\"ana@example.org\"]\nlast_interaction = 2026-01-01\n"), 0o600)
	t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
	now := func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
	note := "lunch\x1b]0;owned\x07\u202e"
	if code := runAt([]string{"--config", cfg, "log", "eve", "talked", "--at", "2026-11-01", "--note", note}, io.Discard, io.Discard, now); code != 0 {
		t.Fatalf("log: exit %d", code)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // what shows that the text was printed
		// cut: the text never carries the escapes, pipe or not (a mail
		// header's value is shown with its unprintable characters as ?)
		cut bool
	}{
		{"status", []string{"status"}, "Eve]52;c;", false},
		{"plan", []string{"plan", "--days", "60"}, "Eve]52;c;", false},
		{"history", []string{"history"}, "lunch]0;owned", false},
		{"sync --dry-run", []string{"sync", "--dry-run"}, "auto-replied?]52;c;", true},
		{"an error", []string{"log", "evee", "talked"}, "(Eve]52;c;", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			term, shown := openTerminal(t)
			runAt(append([]string{"--config", cfg}, tc.args...), term, term, now)
			got := shown()
			if !strings.Contains(got, tc.want) {
				t.Fatalf("the terminal shows %q; want %q in it", got, tc.want)
			}
			got = strings.ReplaceAll(got, "\r\n", "\n") // the terminal's own line ends
			if i := strings.IndexFunc(got, terminalHidden); i >= 0 {
				t.Errorf("the terminal got %q at %d: %q", got[i:min(i+4, len(got))], i, got)
			}
			var pipe bytes.Buffer
			runAt(append([]string{"--config", cfg}, tc.args...), &pipe, &pipe, now)
			if raw := strings.ContainsAny(pipe.String(), "\x1b\u202e"); raw == tc.cut {
				t.Errorf("to a pipe the text is changed (or, where it is cut, not): %q", pipe.String())
			}
		})
	}
}

func terminalHidden(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f || r == 0x202e
}

// tomlString writes s as a TOML basic string, every rune escaped.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		fmt.Fprintf(&b, "\\U%08X", r)
	}
	b.WriteByte('"')
	return b.String()
}
