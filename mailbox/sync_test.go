package mailbox

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/rekindle/rekindle/journal"
)

// failingStore is the state file with a disk that refuses the events: its
// AddLearned fails, all else is the journal's.
type failingStore struct {
	*journal.Journal
	fail bool
}

var errDiskFull = errors.New("database or disk is full")

func (f *failingStore) AddLearned(ctx context.Context, events []journal.Event, now time.Time) ([]journal.Event, error) {
	if f.fail {
		return nil, errDiskFull
	}
	return f.Journal.AddLearned(ctx, events, now)
}

// A folder's cursor is written only once its events are: a sync whose
// events cannot be stored fails, records no cursor, and the next sync
// reads the folder again and learns what the failed one could not keep.
func TestSyncCursorOnlyAfterEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	deliver(t, filepath.Join(root, "INBOX"), "cur", "1.a", msg("Ana <ana@example.org>", "me@home.example", "Mon, 30 Nov 2026 18:00:00 +0000", "r1@example.org"), now.Add(-time.Hour))
	deliver(t, filepath.Join(root, "Sent"), "cur", "2.b", msg("me@home.example", "bo@example.net", "Sun, 29 Nov 2026 10:00:00 +0000", "s1@home.example"), now.Add(-time.Hour))
	cfg, j := homeMaildir(t, root)
	store := &failingStore{Journal: j, fail: true}
	s := &Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: store, Now: now}
	if _, err := s.Run(ctx); !errors.Is(err, errDiskFull) {
		t.Fatalf("a sync whose events could not be stored: %v", err)
	}
	for _, folder := range []string{filepath.Join(root, "INBOX"), filepath.Join(root, "Sent")} {
		if c, err := j.Cursor(ctx, "maildir:home", folder); c != nil || err != nil {
			t.Errorf("%s: cursor %s (%v) written though its events were not", folder, c, err)
		}
	}
	store.fail = false
	res, err := s.Run(ctx)
	if err != nil || res.Added != 2 {
		t.Fatalf("the next sync: %+v, %v; want both events learned", res, err)
	}
	for _, folder := range []string{filepath.Join(root, "INBOX"), filepath.Join(root, "Sent")} {
		if c, _ := j.Cursor(ctx, "maildir:home", folder); c == nil {
			t.Errorf("%s: no cursor after a sync that stored its events", folder)
		}
	}
}
