package rules

import (
	"strings"
	"testing"
	"time"
)

// A meeting in the calendar with someone due holds their check-in until it
// ends; once it is gone from the calendar or has passed without being
// learned, the check-in comes back.
func TestPlannedMeetingHoldsCheckIn(t *testing.T) {
	s := DefaultSettings()
	friday := Meeting{Start: at("2026-12-11 10:00"), End: at("2026-12-11 11:00")}
	c := Contact{LastInteraction: d("2026-11-01"), Planned: []Meeting{friday}}
	now := at("2026-12-07 09:00") // a Monday; due since 2026-12-01

	r := Evaluate(s, &c, nil, now)
	if r.State != OK || r.Kind != CheckIn || r.Reminds(now) {
		t.Fatalf("held: state %s kind %s reminds %v, want ok, check_in, no reminder", r.State, r.Kind, r.Reminds(now))
	}
	if back := friday.End.AddDate(0, 0, 1); !r.Next.Equal(back) || !r.Wake.Equal(back) || !r.Seeing.Equal(friday.Start) {
		t.Errorf("held: next %v wake %v seeing %v, want a day after the meeting's end %v and its start", r.Next, r.Wake, r.Seeing, back)
	}
	if !r.Anchor.Equal(d("2026-11-01")) {
		t.Errorf("held: anchor %v, want the last talk (the reminder's identity is kept)", r.Anchor)
	}
	if why := r.Reason(now); !strings.Contains(why, "you are seeing them on Friday") || !strings.Contains(why, "last talked on 2026-11-01") {
		t.Errorf("reason %q", why)
	}
	// During the meeting, still held; the day before, "tomorrow".
	if r := Evaluate(s, &c, nil, at("2026-12-11 10:30")); r.State != OK || !strings.Contains(r.Reason(at("2026-12-11 10:30")), "today at 10:00") {
		t.Errorf("during: %s %q", r.State, r.Reason(at("2026-12-11 10:30")))
	}
	if r := Evaluate(s, &c, nil, at("2026-12-10 20:00")); !strings.Contains(r.Reason(at("2026-12-10 20:00")), "tomorrow at 10:00") {
		t.Errorf("the day before: %q", r.Reason(at("2026-12-10 20:00")))
	}

	// Ended: held a day more, for the calendar to be read again.
	after := at("2026-12-11 11:00")
	if r := Evaluate(s, &c, nil, after); r.State != OK || !r.Next.Equal(at("2026-12-12 11:00")) ||
		!strings.Contains(r.Reason(after), "the meeting with them on 2026-12-11 is not learned from your calendar yet; if it did not happen, the check-in comes on 2026-12-12") {
		t.Errorf("just ended: state %s next %v %q, want ok until a day after the end", r.State, r.Next, r.Reason(after))
	}
	// Passed without being learned: due again a day after its end.
	back := at("2026-12-12 11:00")
	if r := Evaluate(s, &c, nil, back); r.State != Due || !r.Reminds(back) || !r.Seeing.IsZero() {
		t.Errorf("passed: state %s reminds %v seeing %v, want due again", r.State, r.Reminds(back), r.Seeing)
	}
	// Learned as a talk: ok from it, no hold.
	learned := []Event{{Kind: Talked, At: friday.Start}}
	if r := Evaluate(s, &c, learned, after); r.State != OK || !r.Next.Equal(s.Every.After(friday.Start)) || !r.Seeing.IsZero() {
		t.Errorf("learned: state %s next %v seeing %v", r.State, r.Next, r.Seeing)
	}
	// Cancelled: gone from Planned, due at once, from the old date.
	gone := Contact{LastInteraction: d("2026-11-01")}
	if r := Evaluate(s, &gone, nil, now); r.State != Due || !r.Next.Equal(d("2026-12-01")) {
		t.Errorf("cancelled: state %s next %v, want due since 2026-12-01", r.State, r.Next)
	}

	// A meeting that ends before the check-in would come changes nothing
	// (it will reset the cadence when learned); a far one is said by its
	// date.
	recent := Contact{LastInteraction: d("2026-12-05"), Planned: []Meeting{friday}}
	if r := Evaluate(s, &recent, nil, now); !r.Next.Equal(d("2027-01-04")) || !r.Seeing.IsZero() {
		t.Errorf("meeting before the check-in: next %v seeing %v, want 2027-01-04 and no hold", r.Next, r.Seeing)
	}
	far := Contact{LastInteraction: d("2026-11-01"), Planned: []Meeting{{Start: at("2026-12-24 10:00"), End: at("2026-12-24 11:00")}}}
	if r := Evaluate(s, &far, nil, now); !strings.Contains(r.Reason(now), "you are seeing them on 2026-12-24") {
		t.Errorf("far: %q", r.Reason(now))
	}
	// Someone new with a meeting: held too.
	fresh := Contact{Planned: []Meeting{friday}}
	if r := Evaluate(s, &fresh, nil, now); r.State != OK || !strings.Contains(r.Reason(now), "no interaction on record yet; you are seeing them on Friday") {
		t.Errorf("new: %s %q", r.State, r.Reason(now))
	}

	// Only check-ins are held: a follow-up due is not.
	out := Contact{LastInteraction: d("2026-11-01"), ReachedOut: []time.Time{d("2026-12-03")}, Planned: []Meeting{friday}}
	if r := Evaluate(s, &out, nil, now); r.Kind != FollowUp || r.State != Due {
		t.Errorf("follow-up: kind %s state %s, want a follow-up due", r.Kind, r.State)
	}
}
