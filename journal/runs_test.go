package journal

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestLastSlotAt: the latest run at or before a time, past a run dated
// later (made while the clock was ahead).
func TestLastSlotAt(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	for _, d := range []int{27, 28, 30} {
		if _, err := j.Enqueue(ctx, Run{Slot: day(d), Started: day(d), Finished: day(d)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		at   time.Time
		want time.Time
	}{
		{day(26), time.Time{}},
		{day(27), day(27)},
		{day(29), day(28)},
		{day(30).Add(time.Hour), day(30)},
	} {
		got, err := j.LastSlotAt(ctx, tt.at)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("LastSlotAt(%v) = %v, %v; want %v", tt.at, got, err, tt.want)
		}
	}
	if last, _ := j.LastSlot(ctx); !last.Equal(day(30)) {
		t.Errorf("LastSlot = %v; want the latest of all, %v", last, day(30))
	}
}
