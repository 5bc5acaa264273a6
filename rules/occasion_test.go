package rules

import (
	"testing"
	"time"
)

func TestOccasions(t *testing.T) {
	birthday := Occasion{Name: Birthday, Year: 1989, Month: time.December, Day: 2}
	leapDay := Occasion{Name: Birthday, Month: time.February, Day: 29}
	newYear := Occasion{Name: "anniversary", Year: 2019, Month: time.January, Day: 1}
	wedding := Occasion{Name: "wedding", Year: 2027, Month: time.June, Day: 1}
	talked := d("2026-11-20")
	notice := func(n Duration) Settings { s := DefaultSettings(); s.OccasionNotice = n; return s }
	tests := []struct {
		name     string
		s        Settings
		c        Contact
		events   []Event
		t        time.Time
		state    State
		kind     Kind
		during   State
		day      time.Time // OccasionDay
		years    int
		wake     time.Time
		occasion string
	}{
		{name: "a day ahead by default", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c:     Contact{LastInteraction: talked, Occasions: []Occasion{birthday}},
			state: Due, kind: OccasionKind, during: OK, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "before the notice: the check-in or the notice, whichever comes first", s: DefaultSettings(), t: at("2026-11-29 10:00"),
			c:     Contact{LastInteraction: talked, Occasions: []Occasion{birthday}},
			state: OK, kind: CheckIn, day: d("2026-12-02"), years: 37, wake: d("2026-12-01"), occasion: Birthday},
		{name: "over at the end of its day", s: DefaultSettings(), t: d("2026-12-03"),
			c:     Contact{LastInteraction: talked, Occasions: []Occasion{birthday}},
			state: OK, kind: CheckIn, day: d("2027-12-02"), years: 38, wake: d("2026-12-20"), occasion: Birthday},
		{name: "on the day with notice 0", s: notice(Duration{}), t: at("2026-12-02 00:00"),
			c:     Contact{LastInteraction: talked, Occasions: []Occasion{birthday}},
			state: Due, kind: OccasionKind, during: OK, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "not the day before with notice 0", s: notice(Duration{}), t: at("2026-12-01 23:59"),
			c:     Contact{LastInteraction: talked, Occasions: []Occasion{birthday}},
			state: OK, kind: CheckIn, day: d("2026-12-02"), years: 37, wake: d("2026-12-02"), occasion: Birthday},
		{name: "during a cooldown it still comes", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c:     Contact{LastInteraction: talked, Fallout: d("2026-11-28"), Occasions: []Occasion{birthday}},
			state: Due, kind: OccasionKind, during: CoolingDown, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "and the cooldown goes on after it", s: DefaultSettings(), t: at("2026-12-03 10:00"),
			c:     Contact{LastInteraction: talked, Fallout: d("2026-11-28"), Occasions: []Occasion{birthday}},
			state: CoolingDown, kind: CooldownOver, day: d("2027-12-02"), years: 38, wake: d("2026-12-05"), occasion: Birthday},
		{name: "while waiting for a reply it still comes", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c:     Contact{LastInteraction: talked, ReachedOut: []time.Time{d("2026-11-30")}, Occasions: []Occasion{birthday}},
			state: Due, kind: OccasionKind, during: Waiting, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "not for someone paused", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c:     Contact{LastInteraction: talked, Paused: true, Occasions: []Occasion{birthday}},
			state: Paused},
		{name: "not for someone let be", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c: Contact{LastInteraction: talked, Occasions: []Occasion{birthday}}, events: []Event{{Kind: LetBeEvent, At: d("2026-11-25")}},
			state: LetBe},
		{name: "not after the last try", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c:     Contact{LastInteraction: talked, ReachedOut: []time.Time{d("2026-11-21"), d("2026-11-24")}, Occasions: []Occasion{birthday}},
			state: LetBe, kind: LetBeNotice, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "not while snoozed", s: DefaultSettings(), t: at("2026-12-01 10:00"),
			c: Contact{LastInteraction: talked, Occasions: []Occasion{birthday}}, events: []Event{{Kind: Snooze, At: d("2026-11-30"), Until: d("2026-12-10")}},
			state: Snoozed, kind: CheckIn, day: d("2026-12-02"), years: 37, wake: d("2026-12-03"), occasion: Birthday},
		{name: "29 February on the 28th in other years", s: DefaultSettings(), t: at("2027-02-27 09:00"),
			c:     Contact{LastInteraction: d("2027-02-20"), Occasions: []Occasion{leapDay}},
			state: Due, kind: OccasionKind, during: OK, day: d("2027-02-28"), wake: d("2027-03-01"), occasion: Birthday},
		{name: "and on the 29th in leap years", s: DefaultSettings(), t: at("2028-02-28 09:00"),
			c:     Contact{LastInteraction: d("2028-02-20"), Occasions: []Occasion{leapDay}},
			state: Due, kind: OccasionKind, during: OK, day: d("2028-02-29"), wake: d("2028-03-01"), occasion: Birthday},
		{name: "across the new year", s: notice(Duration{Days: 3}), t: at("2026-12-29 09:00"),
			c:     Contact{LastInteraction: d("2026-12-20"), Occasions: []Occasion{birthday, newYear}},
			state: Due, kind: OccasionKind, during: OK, day: d("2027-01-01"), years: 8, wake: d("2027-01-02"), occasion: "anniversary"},
		{name: "the nearest of several", s: DefaultSettings(), t: at("2026-11-01 09:00"),
			c:     Contact{LastInteraction: d("2026-10-25"), Occasions: []Occasion{newYear, birthday, wedding}},
			state: OK, kind: CheckIn, day: d("2026-12-02"), years: 37, wake: d("2026-11-24"), occasion: Birthday},
		{name: "a date to come counts from its year", s: DefaultSettings(), t: at("2026-12-05 09:00"),
			c:     Contact{LastInteraction: d("2026-12-04"), Occasions: []Occasion{wedding}},
			state: OK, kind: CheckIn, day: d("2027-06-01"), years: 0, wake: d("2027-01-03"), occasion: "wedding"},
	}
	for _, tc := range tests {
		r := Evaluate(tc.s, &tc.c, tc.events, tc.t)
		if r.State != tc.state || r.Kind != tc.kind || r.During != tc.during || !r.OccasionDay.Equal(tc.day) ||
			r.Years() != tc.years || !r.Wake.Equal(tc.wake) || r.Occasion.Name != tc.occasion {
			t.Errorf("%s:\n got state %s kind %q during %q day %v years %d wake %v occasion %q\nwant state %s kind %q during %q day %v years %d wake %v occasion %q",
				tc.name, r.State, r.Kind, r.During, r.OccasionDay, r.Years(), r.Wake, r.Occasion.Name,
				tc.state, tc.kind, tc.during, tc.day, tc.years, tc.wake, tc.occasion)
		}
		if r.Kind == OccasionKind && (!r.Anchor.Equal(tc.day) || !r.IsDue(tc.t)) {
			t.Errorf("%s: anchor %v, due %v; the occasion's day is its identity", tc.name, r.Anchor, r.IsDue(tc.t))
		}
	}
}

func TestOccasionsDoNotAllocate(t *testing.T) {
	c := Contact{LastInteraction: d("2026-10-01"), Occasions: []Occasion{{Name: Birthday, Year: 1989, Month: time.December, Day: 2}, {Name: "x", Month: time.March, Day: 3}}}
	s := DefaultSettings()
	if allocs := testing.AllocsPerRun(100, func() { _ = Evaluate(s, &c, nil, d("2026-12-01")) }); allocs != 0 {
		t.Errorf("Evaluate allocates %.0f times per call; want 0", allocs)
	}
}

// A reply learned from mail reads as one in the reason.
func TestReasonSaysRepliedByEmail(t *testing.T) {
	c := Contact{LastInteraction: d("2026-10-01")}
	mail := []Event{{Kind: Replied, At: d("2026-11-20"), Via: "email"}}
	if r := Evaluate(DefaultSettings(), &c, mail, d("2026-11-25")); r.Reason(d("2026-11-25")) != "replied by email on 2026-11-20; next check-in on 2026-12-20" {
		t.Errorf("reason: %s", r.Reason(d("2026-11-25")))
	}
	text := []Event{{Kind: Replied, At: d("2026-11-20"), Via: "text"}}
	if r := Evaluate(DefaultSettings(), &c, text, d("2026-11-25")); r.Reason(d("2026-11-25")) != "replied by text on 2026-11-20; next check-in on 2026-12-20" {
		t.Errorf("reason of a reply by text: %s", r.Reason(d("2026-11-25")))
	}
	logged := append(mail, Event{Kind: Talked, At: d("2026-11-22")})
	if r := Evaluate(DefaultSettings(), &c, logged, d("2026-11-25")); r.LastVia != "" {
		t.Error("a later talk logged by hand still reads as a mail")
	}
}
