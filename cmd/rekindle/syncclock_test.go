package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/smsbackup"
	"github.com/rekindle/rekindle/journal"
)

// TestSyncStampsWhenItWrites: sync runs beside the daemon, so what it
// writes is stamped when it is written, not when it began: a reminder the
// daemon enqueued while a long sync read would not be found stale by the
// reply the sync wrote after it. Two backup files are written one after
// the other; their calls are stamped apart, by a clock that moves on a
// second each time it is read.
func TestSyncStampsWhenItWrites(t *testing.T) {
	start := time.Now().UTC().Truncate(time.Second)
	e := newEnv(t, `region = "GB"

[sources.phone]
type = "phonebackup"
path = "phone"

[[contact]]
name = "Mum"
phone = ["07700 900123"]

[[contact]]
name = "Bo"
phone = ["+44 7700 900456"]
`)
	dir := filepath.Join(e.dir, "phone")
	os.Mkdir(dir, 0o700)
	for i, number := range []string{"07700900123", "+447700900456"} {
		f, err := os.Create(filepath.Join(dir, "calls-2026120709000"+string(rune('0'+i))+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		w := smsbackup.NewCalls(f, 1)
		w.Call(smsbackup.Call{Number: number, At: start.Add(-time.Hour), Type: smsbackup.CallIncoming, Duration: 60})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	t.Setenv("STATE_DIRECTORY", e.state)
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("JOURNAL_STREAM", "")
	readings := 0
	clock := func() time.Time { readings++; return start.Add(time.Duration(readings) * time.Second) }
	var out bytes.Buffer
	if code := runAt([]string{"--config", e.config, "sync"}, &out, &out, clock); code != 0 {
		t.Fatalf("sync: exit %d\n%s", code, out.String())
	}
	j, err := journal.Open(context.Background(), filepath.Join(e.state, "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	all, err := j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mum, bo := all["mum"], all["bo"]
	if len(mum) != 1 || len(bo) != 1 {
		t.Fatalf("events %v; want Mum's call and Bo's\n%s", all, out.String())
	}
	if !bo[0].Logged.After(mum[0].Logged) {
		t.Errorf("Bo's call, written after Mum's, stamped %v; Mum's %v: a sync's start, not when each was written\n%s",
			bo[0].Logged, mum[0].Logged, strings.TrimSpace(out.String()))
	}
}
