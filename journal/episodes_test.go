package journal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeHistory enqueues a mixed history: episodes written out of order
// (a date set back), repeats, several channels, a repeat of one identity
// on a channel added later, moves, notices. It returns every identity
// written and some that never were.
func writeHistory(t *testing.T, j *Journal) (written, never []Identity) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 21))
	t0 := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	kinds := []string{"check_in", "follow_up", "occasion"}
	seen := map[Identity]bool{}
	for run := 0; run < 24; run++ {
		at := day(run * 17)
		var rows []Row
		for p := 0; p < 12; p++ {
			id := Identity{Contact: fmt.Sprintf("p%02d", p), Kind: kinds[r.IntN(len(kinds))], Anchor: day(r.IntN(400))}
			if r.IntN(8) == 0 {
				id.Anchor = time.Time{} // a first hello has no anchor
			}
			repeat := r.IntN(3)
			for _, ch := range []string{"phone", "mail", "desk"}[:1+r.IntN(3)] {
				rows = append(rows, Row{Identity: id, Repeat: repeat, Channel: ch, Message: []byte(`{}`)})
			}
			if !seen[id.Key()] {
				seen[id.Key()] = true
				written = append(written, id)
			}
			never = append(never, Identity{Contact: id.Contact, Kind: id.Kind, Anchor: day(400 + r.IntN(40))},
				Identity{Contact: id.Contact, Kind: id.Kind, Anchor: id.Anchor.Add(time.Hour)})
		}
		if _, err := j.Enqueue(ctx, Run{Slot: at, Started: at, Finished: at}, rows); err != nil {
			t.Fatal(err)
		}
		due, _ := j.Due(ctx, at)
		var failed []int64
		for k, d := range due {
			if k%7 == 3 {
				failed = append(failed, d.ID)
			}
		}
		j.MarkFailed(ctx, failed, "410 gone")
		if len(due) > 0 && run%5 == 0 {
			if _, err := j.Move(ctx, due[0], []string{"aaa-first", "zzz-last"}, []byte(`{}`), "moved"); err != nil {
				t.Fatal(err)
			}
		}
		if run%9 == 0 {
			j.EnqueueNotice(ctx, at, []Row{{Identity: Identity{Contact: "phone", Kind: ChannelFailed}, Channel: "mail", Message: []byte(`{}`)}})
		}
	}
	// The same identity and repeat once more, later, on a channel added
	// since (two processes' runs): the outbox keeps both times.
	late := day(500)
	w := written[3]
	var repeat int
	j.db.QueryRow(`SELECT MAX(repeat) FROM outbox WHERE contact = ? AND kind = ? AND anchor = ?`, w.Contact, w.Kind, ms0(w.Anchor)).Scan(&repeat)
	if _, err := j.Enqueue(ctx, Run{Slot: late, Started: late, Finished: late}, []Row{{Identity: w, Repeat: repeat, Channel: "0-early-name", Message: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	return written, never
}

// checkReminders compares Reminders, which reads the newest episodes and
// looks older ones up, with the outbox's whole record (Reminded), read
// for all that was written, for half of it (a bound in the middle of the
// history) and for nothing due.
func checkReminders(t *testing.T, j *Journal, written, never []Identity) {
	t.Helper()
	ctx := context.Background()
	all, err := j.Reminded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(written) {
		t.Fatalf("Reminded has %d identities; %d were written", len(all), len(written))
	}
	byAnchor := slices.Clone(written)
	slices.SortFunc(byAnchor, func(a, b Identity) int { return a.Anchor.Compare(b.Anchor) })
	for _, due := range [][]Identity{written, byAnchor[len(byAnchor)/2:], nil} {
		got, err := j.Reminders(ctx, due)
		if err != nil {
			t.Fatal(err)
		}
		older := 0
		for i, id := range written {
			e, ok := got.Lookup(id)
			if want := all[id.Key()]; !ok || e.Repeats != want.Repeats || !e.Last.Equal(want.Last) {
				t.Errorf("%d due: Lookup(%v) = %+v, %v; the outbox has %+v", len(due), id, e, ok, want)
			}
			line := 0
			if id.Kind == occasion {
				line = 1
			}
			if n := got.newest[id.Contact]; n == nil || n[line].anchor != ms0(id.Anchor) || n[line].kind != id.Kind {
				older++
			}
			if i%10 != 0 || due == nil {
				continue
			}
			one, err := j.RemindersOf(ctx, id.Contact)
			if err != nil {
				t.Fatal(err)
			}
			if e2, ok2 := one.Lookup(id); e2 != e || ok2 != ok {
				t.Errorf("RemindersOf(%s).Lookup(%v) = %+v, %v; Reminders has %+v, %v", id.Contact, id, e2, ok2, e, ok)
			}
		}
		if older == 0 {
			t.Errorf("%d due: no identity is of an older episode: the look-up in the outbox is not tried", len(due))
		}
		for _, id := range never {
			if _, ok := all[id.Key()]; ok {
				continue
			}
			if e, ok := got.Lookup(id); ok {
				t.Errorf("%d due: Lookup(%v) = %+v for a reminder never enqueued", len(due), id, e)
			}
		}
		if err := got.Err(); err != nil {
			t.Error(err)
		}
	}
	// The failures that can be those of due: every failure with an anchor
	// at or after the oldest of due, or none.
	failed, _ := j.Failures(ctx)
	since := byAnchor[len(byAnchor)/2].Anchor
	var want []int64
	for _, f := range failed {
		if f.Anchor.IsZero() || !f.Anchor.Before(since) {
			want = append(want, f.ID)
		}
	}
	some, err := j.FailuresFor(ctx, byAnchor[len(byAnchor)/2:])
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, f := range some {
		got = append(got, f.ID)
	}
	if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(failed) {
		t.Errorf("FailuresFor: %v; want %v (of %d failures)", got, want, len(failed))
	}
}

// Reminders, which reads one row per person and kind, answers for every
// reminder as the outbox's whole record does: the newest episodes, older
// ones, ones never sent, the latest repeat, ties between channels.
func TestRemindersAgreeWithTheOutbox(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	written, never := writeHistory(t, j)
	checkReminders(t, j, written, never)
	var n, people int
	j.db.QueryRow(`SELECT COUNT(*) FROM episodes`).Scan(&n)
	j.db.QueryRow(`SELECT COUNT(DISTINCT contact) FROM outbox WHERE kind != 'channel_failed'`).Scan(&people)
	if n != people {
		t.Errorf("episodes holds %d rows; want one per person, %d", n, people)
	}
}

// A state file written before the episodes table gets it filled by the
// migration, and answers as before.
func TestMigrationFillsEpisodes(t *testing.T) {
	k := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE episodes") })
	if k < 0 {
		t.Fatal("no migration makes episodes")
	}
	path := filepath.Join(t.TempDir(), "r.db")
	j := open(t, path)
	// Back to the schema before episodes, keeping the outbox's rows; the
	// history is then written as an older rekindle would have.
	// (and the tables of the migrations after it).
	for _, q := range []string{`DROP TABLE episodes`, `DROP INDEX outbox_failures`, `DROP TABLE planned`,
		fmt.Sprintf("PRAGMA user_version = %d", k)} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	saved := episodesSQL
	episodesSQL = nil // as an older rekindle writes: no episodes
	written, never := writeHistory(t, j)
	episodesSQL = saved
	j.Close()
	j = open(t, path)
	checkReminders(t, j, written, never)
}

// The reads of status and a run go through indexes that hold the current
// rows, never through every row the outbox has had.
func TestHistoryQueryPlans(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	for _, c := range []struct{ what, q, want string }{
		{"failures", `SELECT id FROM outbox WHERE (state = 'failed' OR (state = 'pending' AND last_error != '')) AND (? = '' OR contact = ?) AND (anchor >= ? OR anchor = 0) ORDER BY created, id`, "INDEX outbox_failures"},
		{"the newest episodes", `SELECT contact FROM episodes WHERE anchor >= ? OR anchor = 0 OR occ_anchor >= ?`, "INDEX episodes_anchor"},
		{"an older episode", `SELECT repeat, created FROM outbox WHERE contact = ? AND kind = ? AND anchor = ? ORDER BY repeat DESC, channel LIMIT 1`, "INDEX sqlite_autoindex_outbox_1 (contact=? AND kind=? AND anchor=?)"},
	} {
		args := []any{"", "", 0}[:strings.Count(c.q, "?")]
		if p := plan(t, j, c.q, args...); !strings.Contains(p, c.want) || slices.Contains(strings.Split(p, "\n"), "SCAN outbox") || slices.Contains(strings.Split(p, "\n"), "SCAN episodes") {
			t.Errorf("%s:\n%s\nwant %s", c.what, p, c.want)
		}
	}
	// Failures reads that query.
	if !strings.Contains(failuresSQL, "(state = 'failed' OR (state = 'pending' AND last_error != '')) AND (? = '' OR contact = ?) AND (anchor >= ? OR anchor = 0)") {
		t.Errorf("failures reads %s", failuresSQL)
	}
}
