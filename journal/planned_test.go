package journal

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// The meetings to come of one calendar are replaced by its next read, and
// come after each contact's events, of kind Planned.
func TestSetPlannedReplacesACalendarsMeetings(t *testing.T) {
	ctx := context.Background()
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	at := time.Date(2026, 12, 11, 10, 0, 0, 0, time.UTC)
	if _, err := j.Add(ctx, Event{Contact: "ana", Kind: Talked, At: at.AddDate(0, -1, 0), Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	fri := PlannedMeeting{Contact: "ana", Start: at, End: at.Add(time.Hour)}
	cy := PlannedMeeting{Contact: "cy", Start: at, End: at.Add(time.Hour)}
	other := PlannedMeeting{Contact: "ana", Start: at.AddDate(0, 0, 3), End: at.AddDate(0, 0, 3).Add(time.Hour)}
	if err := j.SetPlanned(ctx, "caldav:cal", "/work/", []PlannedMeeting{fri}, at.AddDate(0, 0, -7)); err != nil {
		t.Fatal(err)
	}
	if err := j.SetPlanned(ctx, "caldav:cal", "/home/", []PlannedMeeting{other, cy}, at.AddDate(0, 0, -7)); err != nil {
		t.Fatal(err)
	}
	evs, err := j.EventsOf(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].Kind != Talked || evs[1].Kind != Planned || !evs[1].At.Equal(fri.Start) || !evs[1].Until.Equal(fri.End) ||
		evs[2].Kind != Planned || !evs[2].At.Equal(other.Start) {
		t.Fatalf("events of ana: %+v; want the talk, then both meetings to come", evs)
	}
	// The next read of /work/ finds its meeting cancelled: gone; /home/'s stays.
	if err := j.SetPlanned(ctx, "caldav:cal", "/work/", nil, at.AddDate(0, 0, -6)); err != nil {
		t.Fatal(err)
	}
	all, err := j.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if evs := all["ana"]; len(evs) != 2 || evs[1].Kind != Planned || !evs[1].At.Equal(other.Start) {
		t.Fatalf("after the cancel: %+v; want the talk and /home/'s meeting", evs)
	}
	// A meeting new to a read is news for LoggedSince; one read again is not.
	later := at.AddDate(0, 0, -5)
	if err := j.SetPlanned(ctx, "caldav:cal", "/home/", []PlannedMeeting{other, cy, {Contact: "bo", Start: at, End: at.Add(time.Hour)}}, later); err != nil {
		t.Fatal(err)
	}
	since, err := j.LoggedSince(ctx, at.AddDate(0, 0, -6))
	if err != nil {
		t.Fatal(err)
	}
	if _, old := since["cy"]; !since["bo"].Equal(later) || old {
		t.Errorf("logged since: %v; want bo, whose meeting is new, and not cy, whose meeting was there before", since)
	}
	if hist, _ := j.History(ctx, "ana", 0); len(hist) != 1 {
		t.Errorf("history holds %d entries; a meeting to come is no history", len(hist))
	}
}
