package journal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The people a run saw first are written with the run and kept: a later
// run that sees them again (another process, a reload) changes nothing.
func TestPeopleSeenAreKept(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	first := map[string]Seen{"ana": {First: t0, Turn: "2026-12-01"}, "ben": {First: t0}}
	if _, err := j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0, Seen: first}, nil); err != nil {
		t.Fatal(err)
	}
	t1 := t0.AddDate(0, 0, 1)
	again := map[string]Seen{"ana": {First: t1, Turn: "2026-12-05"}, "cy": {First: t1, Turn: "2026-12-02"}}
	if _, err := j.Enqueue(ctx, Run{Slot: t1, Started: t1, Finished: t1, Seen: again}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := j.SeenPeople(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Seen{"ana": first["ana"], "ben": first["ben"], "cy": again["cy"]}
	if len(got) != len(want) {
		t.Fatalf("seen %v; want %v", got, want)
	}
	for id, w := range want {
		if g := got[id]; !g.First.Equal(w.First) || g.Turn != w.Turn {
			t.Errorf("%s: %v %q; want %v %q", id, g.First, g.Turn, w.First, w.Turn)
		}
	}
}

// A run that sees more people than one statement records (seenChunk)
// keeps each one's day and turn, and leaves those already recorded as
// they were, in every chunk, the last short one too.
func TestManyPeopleSeenAtOnce(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	t1 := t0.AddDate(0, 0, 1)
	n := 2*seenChunk + 7
	earlier, now := map[string]Seen{}, map[string]Seen{}
	for i := range n {
		id := fmt.Sprintf("p%04d", i)
		s := Seen{First: t1}
		if i%3 == 0 {
			s.Turn = fmt.Sprintf("2026-12-%02d", 1+i%28)
		}
		now[id] = s
		if i%50 == 0 {
			earlier[id] = Seen{First: t0, Turn: "2026-11-30"}
		}
	}
	if _, err := j.Enqueue(ctx, Run{Slot: t0, Started: t0, Finished: t0, Seen: earlier}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Enqueue(ctx, Run{Slot: t1, Started: t1, Finished: t1, Seen: now}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := j.SeenPeople(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d people seen; want %d", len(got), n)
	}
	for id, w := range now {
		if e, ok := earlier[id]; ok {
			w = e
		}
		if g := got[id]; !g.First.Equal(w.First) || g.Turn != w.Turn {
			t.Errorf("%s: %v %q; want %v %q", id, g.First, g.Turn, w.First, w.Turn)
		}
	}
}

// A state file of the schema before the people seen lost their rowid and
// the episodes' indexes their NULLs keeps its people seen and episodes,
// and reads them through the new tables and indexes.
func TestMigrationToFewerTrees(t *testing.T) {
	ctx := context.Background()
	k := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "people_seen_v12") })
	if k < 0 {
		t.Fatal("no migration rebuilds people_seen")
	}
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// The schema as it was, and what a run of it wrote.
	for _, q := range append(slices.Clone(migrations[:k]), fmt.Sprintf("PRAGMA user_version = %d", k),
		fmt.Sprintf(`INSERT INTO people_seen (contact, first_seen, turn) VALUES ('ana', %d, '2026-12-01'), ('ben', %d, NULL)`, t0.UnixMilli(), t0.UnixMilli()),
		fmt.Sprintf(`INSERT INTO episodes (contact, kind, anchor, repeat, channel, created) VALUES ('ana', 'check_in', %d, 1, 'console', %d)`, t0.AddDate(0, -1, 0).UnixMilli(), t0.UnixMilli()),
		fmt.Sprintf(`INSERT INTO episodes (contact, occ_anchor, occ_repeat, occ_channel, occ_created) VALUES ('ben', %d, 0, 'console', %d)`, t0.UnixMilli(), t0.UnixMilli()),
	) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	j := open(t, path)
	seen, err := j.SeenPeople(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || !seen["ana"].First.Equal(t0) || seen["ana"].Turn != "2026-12-01" || !seen["ben"].First.Equal(t0) || seen["ben"].Turn != "" {
		t.Errorf("people seen after the migration: %v", seen)
	}
	r, err := j.Reminders(ctx, []Identity{{Contact: "ana", Kind: "check_in", Anchor: t0.AddDate(0, -1, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := r.Lookup(Identity{Contact: "ana", Kind: "check_in", Anchor: t0.AddDate(0, -1, 0)}); !ok || e.Repeats != 2 || !e.Last.Equal(t0) {
		t.Errorf("ana's check-in: %v %v; want 2 repeats, last %v", e, ok, t0)
	}
	if e, ok := r.Lookup(Identity{Contact: "ben", Kind: "occasion", Anchor: t0}); !ok || e.Repeats != 1 {
		t.Errorf("ben's occasion: %v %v; want 1 repeat", e, ok)
	}
	for name, want := range map[string]string{
		"people_seen":         "WITHOUT ROWID",
		"episodes_anchor":     "WHERE anchor IS NOT NULL",
		"episodes_occ_anchor": "WHERE occ_anchor IS NOT NULL",
	} {
		var q string
		if err := j.db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = ?`, name).Scan(&q); err != nil || !strings.Contains(q, want) {
			t.Errorf("%s: %q, %v; want %s", name, q, err, want)
		}
	}
	var n int
	j.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_people_seen%' OR name = 'people_seen_v12'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d leftovers of the old people_seen", n)
	}
}
