package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRecordSaysTheStateAfterIt: what log, let-be and resume print as the
// person's new state counts the event just written, however the clock
// moves between reading it twice (the event was timed by a second reading
// of the clock, a little after the one the state was evaluated at, so a
// resume could read "is now let be"; seen once in TestScripts/log).
func TestRecordSaysTheStateAfterIt(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("timezone = \"UTC\"\n[[contact]]\nname = \"Bob\"\nlast_interaction = 2026-11-01\n"), 0o600)
	t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
	clock := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Millisecond); return clock } // each reading a little later
	run := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := runAt(append([]string{"--config", cfg}, args...), &out, &errs, now); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs.String())
		}
		return out.String()
	}
	if got := run("let-be", "bob"); !strings.Contains(got, "Bob is now let be") {
		t.Errorf("let-be printed %q; want Bob let be", got)
	}
	if got := run("resume", "bob"); strings.Contains(got, "is now let be") || !strings.Contains(got, "Bob is now ") {
		t.Errorf("resume printed %q; want Bob's state after the resume", got)
	}
}
