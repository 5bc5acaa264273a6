package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestHistoryStripsEscapesOnATerminal: a note with escape sequences (sent
// through the API, say) is printed without them to a terminal, and kept as
// written for a pipe.
func TestHistoryStripsEscapesOnATerminal(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[[contact]]\nname = \"Alice\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
	note := "lunch\x1b]0;owned\x07\x1b[2J\u009b31m\x7f"
	var out bytes.Buffer
	if code := runAt([]string{"--config", cfg, "log", "alice", "talked", "--note", note}, &out, &out, time.Now); code != 0 {
		t.Fatalf("log: %d\n%s", code, out.String())
	}
	for _, tty := range []bool{true, false} {
		out.Reset()
		c := &cli{stdout: &out, stderr: &out, now: time.Now, tty: tty}
		if err := c.dispatch(context.Background(), []string{"--config", cfg, "history"}); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if tty && (strings.ContainsAny(got, "\x1b\x07\x7f\u009b") || !strings.Contains(got, "lunch]0;owned[2J31m")) {
			t.Errorf("to a terminal: %q; want the note without control characters", got)
		}
		if !tty && !strings.Contains(got, note) {
			t.Errorf("to a pipe: %q; want the note as written", got)
		}
	}
}

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
