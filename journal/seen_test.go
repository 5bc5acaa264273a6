package journal

import (
	"context"
	"fmt"
	"path/filepath"
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
