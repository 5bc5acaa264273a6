package journal

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestVersionFollowsEveryCommit: Version stays while nothing is written,
// and changes with a write through this Journal (another of its pooled
// connections), through a second Journal on the same file (as the command
// line writes while the daemon serves), and with an outbox write.
func TestVersionFollowsEveryCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	j := open(t, path)
	other := open(t, path)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	version := func() int64 {
		t.Helper()
		v, err := j.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := version()
	if _, err := j.Events(ctx); err != nil {
		t.Fatal(err)
	}
	if w := version(); w != v {
		t.Fatalf("a read changed the version: %d, then %d", v, w)
	}
	writes := []struct {
		name  string
		write func() error
	}{
		{"an event through this journal", func() error {
			_, err := j.Add(ctx, Event{Contact: "alice", Kind: Talked, At: at, Source: "api"})
			return err
		}},
		{"an event through another journal on the file", func() error {
			_, err := other.Add(ctx, Event{Contact: "bob", Kind: Talked, At: at, Source: "cli"})
			return err
		}},
		{"a run", func() error {
			_, err := other.Enqueue(ctx, Run{Slot: at, Started: at, Finished: at}, nil)
			return err
		}},
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Fatal(err)
		}
		if nv := version(); nv == v {
			t.Errorf("%s left the version at %d", w.name, v)
		} else {
			v = nv
		}
		if again := version(); again != v {
			t.Errorf("after %s, the version moved with nothing written: %d, then %d", w.name, v, again)
		}
	}
}
