package journal

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	anchor := time.Date(2026, 10, 20, 0, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	id := Identity{Contact: "alice", Kind: "check_in", Anchor: anchor}
	rows := []Row{
		{Identity: id, Channel: "phone", Message: []byte(`{"Title":"a"}`)},
		{Identity: id, Channel: "mail", Message: []byte(`{"Title":"a"}`), NotBefore: t0.Add(time.Hour)},
	}
	n, err := j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0, Due: 1}, rows)
	if err != nil || n != 2 {
		t.Fatalf("Enqueue = %d, %v; want 2", n, err)
	}
	// The same rows again (a second run, another process): nothing new.
	if n, err := j.Enqueue(ctx, Run{Slot: t0.Add(time.Minute), Started: t0, Finished: t0}, rows); err != nil || n != 0 {
		t.Fatalf("second Enqueue = %d, %v; want 0", n, err)
	}
	if last, _ := j.LastSlot(ctx); !last.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastSlot = %v", last)
	}
	hist, err := j.Reminded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e := hist[id.Key()]; e.Repeats != 1 || !e.Last.Equal(t0) {
		t.Errorf("Reminded[%v] = %+v; want 1 repeat at %v", id, e, t0)
	}

	due, _ := j.Due(ctx, t0)
	if len(due) != 1 || due[0].Channel != "phone" || !due[0].Anchor.Equal(anchor) || string(due[0].Message) != `{"Title":"a"}` {
		t.Fatalf("Due(t0) = %+v; want the phone row only (mail waits for quiet hours)", due)
	}
	if next, ok, _ := j.NextDue(ctx); !ok || !next.Equal(t0) {
		t.Errorf("NextDue = %v, %v", next, ok)
	}
	if err := j.MarkRetry(ctx, []int64{due[0].ID}, t0.Add(5*time.Second), "503"); err != nil {
		t.Fatal(err)
	}
	if due, _ := j.Due(ctx, t0); len(due) != 0 {
		t.Errorf("a row in backoff is due: %+v", due)
	}
	due, _ = j.Due(ctx, t0.Add(2*time.Hour))
	if len(due) != 2 || due[0].Attempts != 1 || due[0].LastError != "503" {
		t.Fatalf("Due later = %+v", due)
	}
	j.MarkSent(ctx, []int64{due[0].ID}, t0.Add(2*time.Hour))
	j.MarkFailed(ctx, []int64{due[1].ID}, "401 unauthorized")
	// Marking a row that is no longer pending changes nothing.
	j.MarkRetry(ctx, []int64{due[0].ID}, t0, "late")
	if n, _ := j.PendingCount(ctx); n != 0 {
		t.Errorf("%d pending; want 0", n)
	}
	if _, ok, _ := j.NextDue(ctx); ok {
		t.Error("NextDue with nothing pending")
	}
	all, _ := j.Deliveries(ctx, "alice", 0)
	states := map[string]string{}
	for _, d := range all {
		states[d.Channel] = d.State + "/" + d.LastError
	}
	if states["phone"] != "sent/" || states["mail"] != "failed/401 unauthorized" {
		t.Errorf("states %v", states)
	}
	// Once sent, the message (which may quote what the user wrote about
	// the person) is not kept; a failed one is, for its notice.
	for _, d := range all {
		if (d.State == Sent) != (len(d.Message) == 0) {
			t.Errorf("%s row keeps %d bytes of message", d.State, len(d.Message))
		}
	}
	if f, _ := j.Failures(ctx); len(f) != 1 || f[0].Channel != "mail" {
		t.Errorf("Failures = %+v", f)
	}

	// A repeat is a new row for the same identity.
	rows[0].Repeat, rows[1].Repeat = 1, 1
	if n, _ := j.Enqueue(ctx, Run{Slot: t0.Add(72 * time.Hour), Started: t0.Add(72 * time.Hour)}, rows); n != 2 {
		t.Errorf("repeat enqueued %d; want 2", n)
	}
	hist, _ = j.Reminded(ctx)
	if e := hist[id.Key()]; e.Repeats != 2 || !e.Last.Equal(t0.Add(72*time.Hour)) {
		t.Errorf("after a repeat: %+v", e)
	}
}

// TestMoveAndCancel: a row moved to other channels leaves one copy per
// channel, keeps its identity, and is itself cancelled; a cancelled row is
// no longer due.
func TestMoveAndCancel(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	id := Identity{Contact: "alice", Kind: "check_in", Anchor: t0.AddDate(0, -1, 0)}
	rows := []Row{
		{Identity: id, Channel: "old-phone", Message: []byte(`{"Title":"a"}`)},
		{Identity: Identity{Contact: "gone", Kind: "check_in"}, Channel: "mail", Message: []byte(`{"Title":"b"}`)},
	}
	if _, err := j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0}, rows); err != nil {
		t.Fatal(err)
	}
	due, _ := j.Due(ctx, t0)
	if len(due) != 2 {
		t.Fatalf("%d due", len(due))
	}
	n, err := j.Move(ctx, due[0], []string{"phone", "mail"}, []byte(`{"Title":"a2"}`), "moved to phone, mail")
	if err != nil || n != 2 {
		t.Fatalf("Move = %d, %v; want 2", n, err)
	}
	if err := j.MarkCancelled(ctx, []int64{due[1].ID}, "gone left the config"); err != nil {
		t.Fatal(err)
	}
	now, _ := j.Due(ctx, t0)
	if len(now) != 2 || now[0].Channel != "phone" || now[1].Channel != "mail" || !now[0].Anchor.Equal(id.Anchor) || string(now[1].Message) != `{"Title":"a2"}` {
		t.Fatalf("due after move: %+v", now)
	}
	all, _ := j.Deliveries(ctx, "", 0)
	states := map[string]string{}
	for _, d := range all {
		states[d.Contact+"/"+d.Channel] = d.State + ":" + d.LastError
	}
	if states["alice/old-phone"] != "cancelled:moved to phone, mail" || states["gone/mail"] != "cancelled:gone left the config" {
		t.Errorf("states %v", states)
	}
	// Moving again to a channel that has the reminder writes nothing new.
	if n, err := j.Move(ctx, now[0], []string{"mail"}, nil, "again"); err != nil || n != 0 {
		t.Errorf("second Move = %d, %v; want 0", n, err)
	}
}

// TestTimeline: events and deliveries in one list, newest first, a sent
// delivery at its sent time, cut at the limit.
func TestTimeline(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	j.Add(ctx, Event{Contact: "alice", Kind: Talked, At: t0.Add(-48 * time.Hour), Source: "cli", Logged: t0})
	j.Add(ctx, Event{Contact: "alice", Kind: ReachedOut, At: t0.Add(2 * time.Hour), Source: "api", Logged: t0.Add(2 * time.Hour)})
	j.Add(ctx, Event{Contact: "bob", Kind: Talked, At: t0, Source: "cli", Logged: t0})
	rows := []Row{{Identity: Identity{Contact: "alice", Kind: "check_in"}, Channel: "phone", Message: []byte(`{}`)}}
	j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0}, rows)
	due, _ := j.Due(ctx, t0)
	j.MarkSent(ctx, []int64{due[0].ID}, t0.Add(3*time.Hour))
	got, err := j.Timeline(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Delivery == nil || !got[0].At.Equal(t0.Add(3*time.Hour)) ||
		got[1].Event == nil || got[1].Event.Kind != ReachedOut || got[2].Event.Kind != Talked {
		t.Fatalf("timeline %+v", got)
	}
	if two, _ := j.Timeline(ctx, "alice", 2); len(two) != 2 || two[1].Event.Kind != ReachedOut {
		t.Errorf("limit 2: %+v", two)
	}
	if all, _ := j.Timeline(ctx, "", 0); len(all) != 4 {
		t.Errorf("everyone: %d entries; want 4", len(all))
	}
}

// plan returns SQLite's query plan for q, one step a line.
func plan(t *testing.T, j *Journal, q string, args ...any) string {
	t.Helper()
	rows, err := j.db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "\n")
}

// A delivery is marked through its id, never by walking the pending rows:
// that made a run of 60,000 reminders cost seconds of updates.
func TestOutboxQueryPlans(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	for _, ids := range [][]int64{{1, 2, 3}, {1, 3, 4}, {2, 1}, {5}} {
		which, args := idList(ids)
		if p := plan(t, j, updateSQL("state = 'sent'", which), args...); !strings.Contains(p, "INTEGER PRIMARY KEY") {
			t.Errorf("marking deliveries %v:\n%s\nwant a search by id", ids, p)
		}
	}
	if p := plan(t, j, `SELECT id FROM outbox WHERE state = 'pending' AND next_try <= ? ORDER BY next_try, id`, 5); !strings.Contains(p, "INDEX outbox_pending") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("finding due rows:\n%s\nwant the pending index, in its order", p)
	}
	var def string
	j.db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'outbox_pending'`).Scan(&def)
	if !strings.Contains(def, "WHERE state = 'pending'") {
		t.Errorf("outbox_pending is %q; want an index of pending rows alone", def)
	}
}

// Marking picks exactly the rows given, whether their ids are one run of
// consecutive ids (a range) or not (a list), and never a row that is no
// longer pending, inside the range or not.
func TestMarkPicksTheRowsGiven(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	rows := make([]Row, 10)
	for i := range rows {
		rows[i] = Row{Identity: Identity{Contact: fmt.Sprintf("p%d", i), Kind: "check_in"}, Channel: "console", Message: []byte(`{}`)}
	}
	if _, err := j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0}, rows); err != nil {
		t.Fatal(err)
	}
	due, err := j.Due(ctx, t0)
	if err != nil || len(due) != len(rows) {
		t.Fatalf("%d due, %v", len(due), err)
	}
	id := func(k int) int64 { return due[k].ID }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(j.MarkSent(ctx, []int64{id(3), id(4), id(5)}, t0.Add(time.Minute)))
	must(j.MarkFailed(ctx, []int64{id(7), id(9)}, "gone"))
	must(j.MarkSent(ctx, []int64{id(2), id(3), id(4), id(5), id(6), id(7), id(8)}, t0.Add(time.Hour)))
	want := map[int]string{0: "pending", 1: "pending", 2: "sent 1h", 3: "sent 1m", 4: "sent 1m", 5: "sent 1m", 6: "sent 1h",
		7: "failed", 8: "sent 1h", 9: "failed"}
	all, err := j.Deliveries(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, d := range all {
		got[d.ID] = d.State
		if d.State == Sent {
			got[d.ID] += " " + strings.TrimSuffix(strings.TrimSuffix(d.Sent.Sub(t0).String(), "0s"), "0m")
		}
	}
	for k, w := range want {
		if got[id(k)] != w {
			t.Errorf("row %d: %q; want %q", k, got[id(k)], w)
		}
	}
}

// A big run is written through a larger page cache, and its connection
// goes back to SQLite's default when the run is written, or when it fails:
// a daemon that made one big run does not keep its cache for good.
func TestBigRunCacheIsGivenBack(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	j.db.SetMaxOpenConns(1) // the connection the run wrote through is the one asked
	rows := make([]Row, bigRun)
	for i := range rows {
		rows[i] = Row{Identity: Identity{Contact: fmt.Sprintf("p%05d", i), Kind: "check_in"}, Channel: "console", Message: []byte(`{}`)}
	}
	now := time.Now()
	chunks := func(fail bool) iter.Seq2[[]Row, error] {
		return func(yield func([]Row, error) bool) {
			if !yield(rows, nil) {
				return
			}
			if fail {
				yield(nil, errors.New("compose failed"))
			}
		}
	}
	for _, fail := range []bool{false, true} {
		n, err := j.EnqueueChunks(ctx, Run{Slot: now, Started: now, Finished: now}, chunks(fail))
		if fail != (err != nil) || (!fail && n != len(rows)) {
			t.Fatalf("fail %v: %d written, %v", fail, n, err)
		}
		var after int
		if err := j.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != -2000 {
			t.Errorf("fail %v: cache_size %d after the run; want SQLite's default, -2000", fail, after)
		}
		now = now.Add(time.Hour)
		for i := range rows {
			rows[i].Repeat++
		}
	}
}

// BenchmarkOutbox20k enqueues 20,000 reminders in one run, reads them back
// as due and marks them sent in batches of 1,024, as a run with no
// max_per_run does.
func BenchmarkOutbox20k(b *testing.B) {
	ctx := context.Background()
	msg := []byte(`{"Title":"Time to catch up with Kai Moreau","Lead":"It has been 120 days since you last talked; you wanted to keep in touch every 1 week.","Opener":"Hi Kai! It's been a while. What's new with you?","Tags":["wave"]}`)
	rows := make([]Row, 20000)
	for i := range rows {
		rows[i] = Row{Identity: Identity{Contact: fmt.Sprintf("p%05d", (i*7919)%len(rows)), Kind: "cadence"}, Channel: "console", Message: msg}
	}
	for b.Loop() {
		b.StopTimer()
		j := open(b, filepath.Join(b.TempDir(), "r.db"))
		now := time.Now()
		b.StartTimer()
		if _, err := j.Enqueue(ctx, Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
			b.Fatal(err)
		}
		due, err := j.Due(ctx, now)
		if err != nil || len(due) != len(rows) {
			b.Fatalf("%d due, %v", len(due), err)
		}
		for lo := 0; lo < len(due); lo += 1024 {
			ids := make([]int64, 0, 1024)
			for _, d := range due[lo:min(lo+1024, len(due))] {
				ids = append(ids, d.ID)
			}
			if err := j.MarkSent(ctx, ids, now); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		j.Close()
		b.StartTimer()
	}
}
