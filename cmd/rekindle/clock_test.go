package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/journal"
)

// TestStatusSaysLastRunAhead: the run log's last run is dated 30 days
// after now (the clock was ahead when it ran). status says so, in a line
// of its own, with the slot the daemon goes on at, and status --json in a
// field; with the run log in order it says nothing.
func TestStatusSaysLastRunAhead(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", dir)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("timezone = \"UTC\"\nschedule = \"0 9 * * *\"\n[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-01\n"), 0o600)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	status := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := runAt(append([]string{"--config", cfg, "status"}, args...), &out, &errb, clock); code != 0 {
			t.Fatalf("status %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	j, err := journal.Open(context.Background(), filepath.Join(dir, "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	record := func(slot time.Time) {
		if _, err := j.Enqueue(context.Background(), journal.Run{Slot: slot, Started: slot, Finished: slot}, nil); err != nil {
			t.Fatal(err)
		}
	}
	record(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	if out := status(); strings.Contains(out, "after now") {
		t.Errorf("status with a run log in order says:\n%s", out)
	}
	if out := status("--json"); strings.Contains(out, "last_run_ahead") {
		t.Errorf("status --json with a run log in order has last_run_ahead:\n%s", out)
	}

	record(now.AddDate(0, 0, 30).Add(-3 * time.Hour))
	want := "note: the last run on record is dated 2027-01-06 09:00, after now (2026-12-07 12:00): the clock was probably ahead when it ran.\n" +
		"The daemon does not wait for that date: its next run is at 2026-12-08 09:00.\n"
	if out := status(); !strings.HasSuffix(out, "\n"+want) {
		t.Errorf("status says:\n%s\nwant it to end with:\n%s", out, want)
	}
	var doc []map[string]any
	if err := json.Unmarshal([]byte(status("--json")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 1 || doc[0]["last_run_ahead"] != "2027-01-06T09:00:00Z" {
		t.Errorf("status --json: %v; want last_run_ahead 2027-01-06T09:00:00Z", doc)
	}
}
