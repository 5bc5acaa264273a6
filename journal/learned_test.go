package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/hint"
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
	// The fix, which the error carries apart (internal/hint), is kept: status
	// shows the one line.
	j.RecordSync(ctx, "imap:work", t0.Add(2*time.Hour), hint.With(errors.New("the server refused the login of me"), "check username and password"))
	st, err := j.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := st["imap:work"]
	if !w.LastOK.Equal(t0) || !w.FailingSince.Equal(t0.Add(time.Hour)) || w.LastError != "the server refused the login of me (check username and password)" {
		t.Errorf("failing: %+v", w)
	}
	j.RecordSync(ctx, "imap:work", t0.Add(3*time.Hour), nil)
	st, _ = j.SourceStates(ctx)
	if w := st["imap:work"]; !w.FailingSince.IsZero() || w.LastError != "" || !w.LastOK.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("working again: %+v", w)
	}
}

// A state file from before the cursors were the sources' own keeps where
// each folder was read: the migration carries an IMAP folder's UIDVALIDITY
// and last UID, and a Maildir's newest file, over in the form each type
// writes.
func TestMigrationCarriesCursorsOver(t *testing.T) {
	ctx := context.Background()
	k := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE mail_cursors") })
	if k < 0 {
		t.Fatal("no migration makes mail_cursors")
	}
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:k] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		fmt.Sprintf("PRAGMA user_version = %d", k),
		`INSERT INTO mail_folders (source, folder, validity, last_uid, scanned) VALUES ('imap:work', 'INBOX', 1700000000, 4321, 0)`,
		`INSERT INTO mail_folders (source, folder, validity, last_uid, scanned) VALUES ('maildir:home', '/home/me/Mail/INBOX', 0, 0, 1765000000123)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	j := open(t, path)
	for _, c := range []struct{ source, folder, want string }{
		{"imap:work", "INBOX", `{"validity":1700000000,"last_uid":4321}`},
		{"maildir:home", "/home/me/Mail/INBOX", `{"scanned":1765000000123}`},
	} {
		got, err := j.Cursor(ctx, c.source, c.folder)
		if err != nil || string(got) != c.want {
			t.Errorf("%s %s: cursor %s, %v; want %s", c.source, c.folder, got, err, c.want)
		}
	}
	if got, err := j.Cursor(ctx, "imap:work", "Sent"); got != nil || err != nil {
		t.Errorf("a folder never read: %s, %v; want none", got, err)
	}
}

// A source of any type learns: AddLearned takes the events of a type the
// journal has never heard of, and the scheduler counts them as mail.
func TestAddLearnedAnyType(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	e := Event{Contact: "ana", Kind: Replied, At: now.Add(-time.Hour), Source: LearnedSource("jmap", "phone"), Dedup: "k1"}
	added, err := j.AddLearned(ctx, []Event{e}, now)
	if err != nil || len(added) != 1 {
		t.Fatalf("AddLearned from a jmap source: %v, %v", added, err)
	}
	if !IsLearned(e.Source) {
		t.Errorf("IsLearned(%q) = false", e.Source)
	}
	for _, by := range []string{"cli", "api", "phone", "dashboard", ":x", "x:"} {
		if IsLearned(by) {
			t.Errorf("IsLearned(%q) = true; it was logged by hand", by)
		}
	}
}

// BenchmarkAddLearned is what a first sync of a large mailbox writes: 5,000
// learned events of 500 people in one call, beside a few logged by hand.
func BenchmarkAddLearned(b *testing.B) {
	// The command's context, which a signal cancels.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	events := make([]Event, 5000)
	for i := range events {
		events[i] = Event{Contact: fmt.Sprintf("person-%d", i%500), Kind: Replied, At: now.Add(-time.Duration(i) * 37 * time.Minute),
			Source: "maildir:home", Dedup: fmt.Sprintf("%032x", i)}
	}
	for b.Loop() {
		b.StopTimer()
		j := open(b, filepath.Join(b.TempDir(), "r.db"))
		for i := range 50 {
			j.Add(ctx, Event{Contact: fmt.Sprintf("person-%d", i), Kind: Replied, At: now.Add(-time.Duration(i) * 5 * time.Hour), Source: "cli", Logged: now})
		}
		b.StartTimer()
		added, err := j.AddLearned(ctx, events, now)
		if err != nil || len(added) < 4900 {
			b.Fatalf("added %d, %v", len(added), err)
		}
	}
}

// TestAddLearnedInChunks: events written a hundred to a statement come
// back in their order with the ids the state file gave them, and a key
// seen twice (in one statement or in two) or covered by a logged event is
// written once or not at all, as one statement an event did.
func TestAddLearnedInChunks(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := j.Add(ctx, Event{Contact: "p7", Kind: Replied, At: now.Add(-7*time.Hour - time.Minute), Source: "cli", Logged: now}); err != nil {
		t.Fatal(err)
	}
	var learned []Event
	var want []string
	for i := range 250 {
		key := fmt.Sprintf("k%d", i)
		switch i {
		case 60:
			key = "k59" // twice in one statement
		case 150:
			key = "k10" // again in a later one
		}
		learned = append(learned, Event{Contact: fmt.Sprintf("p%d", i%20), Kind: Replied, At: now.Add(-time.Duration(i) * time.Hour),
			Source: "maildir:home", Dedup: key})
		if i != 60 && i != 150 && i != 7 { // p7 at 7 hours is the logged one's
			want = append(want, key)
		}
	}
	added, err := j.AddLearned(ctx, learned, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range added {
		got = append(got, e.Dedup)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("added %v;\nwant %v", got, want)
	}
	stored := map[string]int64{}
	all, _ := j.Events(ctx)
	for _, list := range all {
		for _, e := range list {
			if e.Dedup != "" {
				stored[e.Dedup] = e.ID
			}
		}
	}
	if len(stored) != len(want) {
		t.Errorf("%d learned events stored; want %d", len(stored), len(want))
	}
	for _, e := range added {
		if e.ID == 0 || stored[e.Dedup] != e.ID || !e.Logged.Equal(now) {
			t.Errorf("added %s with id %d, logged %v; stored with id %d", e.Dedup, e.ID, e.Logged, stored[e.Dedup])
		}
	}
}

// A key twice in one statement whose first event a logged one stands for
// is written for the second: the event returned is the second, with its
// own time, as one statement an event returned it.
func TestAddLearnedKeyTwiceFirstCovered(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := j.Add(ctx, Event{Contact: "ana", Kind: Replied, At: now.Add(-40 * time.Hour), Source: "cli", Logged: now}); err != nil {
		t.Fatal(err)
	}
	learned := []Event{
		{Contact: "ana", Kind: Replied, At: now.Add(-39 * time.Hour), Source: "maildir:home", Dedup: "k1"}, // the log stands for it
		{Contact: "ana", Kind: Replied, At: now.Add(-2 * time.Hour), Source: "maildir:home", Dedup: "k1"},
	}
	added, err := j.AddLearned(ctx, learned, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || !added[0].At.Equal(learned[1].At) {
		t.Fatalf("added %+v; want the second event alone", added)
	}
	all, _ := j.Events(ctx)
	for _, e := range all["ana"] {
		if e.ID == added[0].ID && !e.At.Equal(added[0].At) {
			t.Errorf("stored at %v with the id of the event returned at %v", e.At, added[0].At)
		}
	}
}
