package journal

import (
	"context"
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
