package journal

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestAddLearned(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := j.Add(ctx, Event{Contact: "bo", Kind: ReachedOut, At: now.Add(-30 * time.Hour), Source: "cli", Logged: now}); err != nil {
		t.Fatal(err)
	}
	learned := []Event{
		{Contact: "ana", Kind: Replied, At: now.Add(-2 * time.Hour), Source: "maildir:home", Dedup: "k1"},
		// the same message seen in another folder, or from another source
		{Contact: "ana", Kind: Replied, At: now.Add(-2 * time.Hour), Source: "imap:work", Dedup: "k1"},
		// the outreach the user logged by hand, 4 hours off: the log wins
		{Contact: "bo", Kind: ReachedOut, At: now.Add(-26 * time.Hour), Source: "maildir:home", Dedup: "k2"},
		// a later message to bo is another outreach
		{Contact: "bo", Kind: ReachedOut, At: now.Add(-1 * time.Hour), Source: "maildir:home", Dedup: "k3"},
	}
	added, err := j.AddLearned(ctx, learned, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || added[0].Dedup != "k1" || added[1].Dedup != "k3" {
		t.Errorf("added %+v; want k1 and k3", added)
	}
	// A second sync of the same messages adds nothing.
	if again, err := j.AddLearned(ctx, learned, now); err != nil || len(again) != 0 {
		t.Errorf("a second sync added %v, %v", again, err)
	}
	all, _ := j.Events(ctx)
	if len(all["ana"]) != 1 || len(all["bo"]) != 2 || all["ana"][0].Source != "maildir:home" || all["ana"][0].Dedup != "k1" {
		t.Errorf("events %+v", all)
	}
	// The limits hold for learned events too, and they need a key.
	if _, err := j.AddLearned(ctx, []Event{{Contact: "ana", Kind: Replied, At: now.Add(48 * time.Hour), Source: "maildir:home", Dedup: "k9"}}, now); err == nil {
		t.Error("a learned event two days ahead was written")
	}
	if _, err := j.AddLearned(ctx, []Event{{Contact: "ana", Kind: Replied, At: now, Source: "cli"}}, now); err == nil {
		t.Error("a learned event without a mail source and a key was written")
	}
}

func TestSourceStates(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	j.RecordSync(ctx, "imap:work", t0, nil)
	j.RecordSync(ctx, "imap:work", t0.Add(time.Hour), errors.New("cannot reach imap.example.org:993"))
	j.RecordSync(ctx, "imap:work", t0.Add(2*time.Hour), errors.New("the server refused the login of me"))
	st, err := j.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := st["imap:work"]
	if !w.LastOK.Equal(t0) || !w.FailingSince.Equal(t0.Add(time.Hour)) || w.LastError != "the server refused the login of me" {
		t.Errorf("failing: %+v", w)
	}
	j.RecordSync(ctx, "imap:work", t0.Add(3*time.Hour), nil)
	st, _ = j.SourceStates(ctx)
	if w := st["imap:work"]; !w.FailingSince.IsZero() || w.LastError != "" || !w.LastOK.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("working again: %+v", w)
	}
}
