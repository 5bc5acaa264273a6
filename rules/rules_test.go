package rules

import (
	"strings"
	"testing"
	"time"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// d is a calendar day at midnight in Berlin; at adds a clock time.
func d(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEvaluate(t *testing.T) {
	def := DefaultSettings()
	with := func(f func(*Settings)) Settings {
		s := DefaultSettings()
		f(&s)
		return s
	}
	tests := []struct {
		name     string
		settings Settings
		contact  Contact
		events   []Event
		t        time.Time
		state    State
		kind     Kind
		next     time.Time // zero: no next reminder
		anchor   time.Time
		reason   string // a fragment the reason must hold
	}{
		{
			name:    "cadence not yet elapsed",
			contact: Contact{LastInteraction: d("2026-11-01")},
			t:       d("2026-11-30").Add(-time.Second),
			state:   OK, kind: CheckIn, next: d("2026-12-01"), anchor: d("2026-11-01"),
			reason: "next check-in on 2026-12-01",
		},
		{
			name:    "cadence due at the exact instant",
			contact: Contact{LastInteraction: d("2026-11-01")},
			t:       d("2026-12-01"),
			state:   Due, kind: CheckIn, next: d("2026-12-01"), anchor: d("2026-11-01"),
			reason: "30 days since you last talked",
		},
		{
			name:    "one nanosecond before due is not due",
			contact: Contact{LastInteraction: d("2026-11-01")},
			t:       d("2026-12-01").Add(-time.Nanosecond),
			state:   OK, kind: CheckIn, next: d("2026-12-01"), anchor: d("2026-11-01"),
		},
		{
			name:    "journal talk newer than config date wins",
			contact: Contact{LastInteraction: d("2026-09-01")},
			events:  []Event{{Kind: Talked, At: d("2026-11-10")}},
			t:       d("2026-11-30"),
			state:   OK, kind: CheckIn, next: d("2026-12-10"), anchor: d("2026-11-10"),
		},
		{
			name:    "config date newer than journal wins",
			contact: Contact{LastInteraction: d("2026-11-10")},
			events:  []Event{{Kind: Replied, At: d("2026-09-01")}},
			t:       d("2026-11-30"),
			state:   OK, kind: CheckIn, next: d("2026-12-10"), anchor: d("2026-11-10"),
		},
		{
			name:  "no last interaction at all is due now",
			t:     d("2026-11-30"),
			state: Due, kind: CheckIn, next: d("2026-11-30"),
			reason: "no interaction on record",
		},
		{
			name:     "every 0 turns cadence off",
			settings: with(func(s *Settings) { s.Every = Duration{} }),
			contact:  Contact{LastInteraction: d("2020-01-01")},
			t:        d("2026-11-30"),
			state:    OK, kind: None,
			reason: "cadence reminders are off",
		},
		{
			name:     "every 0 with no interaction stays quiet",
			settings: with(func(s *Settings) { s.Every = Duration{} }),
			t:        d("2026-11-30"),
			state:    OK, kind: None,
		},
		{
			name:    "paused beats everything",
			contact: Contact{LastInteraction: d("2020-01-01"), Paused: true},
			t:       d("2026-11-30"),
			state:   Paused, kind: None,
		},
		{
			name:    "explicit let-be stops reminders",
			contact: Contact{LastInteraction: d("2020-01-01")},
			events:  []Event{{Kind: LetBeEvent, At: d("2026-11-02")}},
			t:       d("2026-11-30"),
			state:   LetBe, kind: None,
			reason: "you chose to let them be on 2026-11-02",
		},
		{
			name:    "resume after let-be brings them back",
			contact: Contact{LastInteraction: d("2020-01-01")},
			events:  []Event{{Kind: LetBeEvent, At: d("2026-11-02")}, {Kind: Resume, At: d("2026-11-05")}},
			t:       d("2026-11-30"),
			state:   Due, kind: CheckIn, next: d("2020-01-31"), anchor: d("2020-01-01"),
		},
		{
			name:    "let-be logged after t is not yet in force",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events:  []Event{{Kind: LetBeEvent, At: d("2026-12-02")}},
			t:       d("2026-11-30"),
			state:   Due, kind: CheckIn, next: d("2026-10-31"), anchor: d("2026-10-01"),
		},
		{
			name:    "active snooze hides a due reminder until it ends",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events:  []Event{{Kind: Snooze, At: d("2026-11-29"), Until: d("2026-12-02")}},
			t:       d("2026-11-30"),
			state:   Snoozed, kind: CheckIn, next: d("2026-12-02"), anchor: d("2026-10-01"),
			reason: "snoozed until 2026-12-02",
		},
		{
			name:    "snooze keeps a later due date",
			contact: Contact{LastInteraction: d("2026-11-20")},
			events:  []Event{{Kind: Snooze, At: d("2026-11-29"), Until: d("2026-12-02")}},
			t:       d("2026-11-30"),
			state:   Snoozed, kind: CheckIn, next: d("2026-12-20"), anchor: d("2026-11-20"),
		},
		{
			name:    "expired snooze is over",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events:  []Event{{Kind: Snooze, At: d("2026-11-20"), Until: d("2026-11-23")}},
			t:       d("2026-11-30"),
			state:   Due, kind: CheckIn, next: d("2026-10-31"), anchor: d("2026-10-01"),
		},
		{
			name:    "resume ends a snooze early",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events: []Event{
				{Kind: Snooze, At: d("2026-11-29"), Until: d("2026-12-20")},
				{Kind: Resume, At: d("2026-11-30")},
			},
			t:     d("2026-11-30"),
			state: Due, kind: CheckIn, next: d("2026-10-31"), anchor: d("2026-10-01"),
		},
		{
			name:    "fallout starts a cooldown",
			contact: Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-11-20")},
			t:       d("2026-11-26"),
			state:   CoolingDown, kind: CooldownOver, next: d("2026-11-27"), anchor: d("2026-11-20"),
			reason: "fell out on 2026-11-20; giving them time until 2026-11-27",
		},
		{
			name:     "cooldown ends at the exact instant",
			settings: with(func(s *Settings) { s.Cooldown = Duration{Days: 21} }),
			contact:  Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-11-20")},
			t:        d("2026-12-11"),
			state:    Due, kind: CooldownOver, next: d("2026-12-11"), anchor: d("2026-11-20"),
			reason: "cooldown after the fallout on 2026-11-20 ended",
		},
		{
			name:    "fallout on the day of the last talk is unresolved",
			contact: Contact{LastInteraction: d("2026-11-20"), Fallout: d("2026-11-20")},
			t:       d("2026-11-22"),
			state:   CoolingDown, kind: CooldownOver, next: d("2026-11-27"), anchor: d("2026-11-20"),
		},
		{
			name:    "fallout resolved by a later talk",
			contact: Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-11-20")},
			events:  []Event{{Kind: Talked, At: d("2026-11-24")}},
			t:       d("2026-11-25"),
			state:   OK, kind: CheckIn, next: d("2026-12-24"), anchor: d("2026-11-24"),
		},
		{
			name:    "journal fallout newer than the config one",
			contact: Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-10-01")},
			events:  []Event{{Kind: Talked, At: d("2026-10-20")}, {Kind: Fallout, At: d("2026-11-25")}},
			t:       d("2026-11-26"),
			state:   CoolingDown, kind: CooldownOver, next: d("2026-12-02"), anchor: d("2026-11-25"),
		},
		{
			name:    "fallout with no interaction ever is unresolved",
			contact: Contact{Fallout: d("2026-11-20")},
			t:       d("2026-11-22"),
			state:   CoolingDown, kind: CooldownOver, next: d("2026-11-27"), anchor: d("2026-11-20"),
		},
		{
			name:    "outreach after a fallout waits for the reply",
			contact: Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-11-20"), ReachedOut: []time.Time{d("2026-11-28")}},
			t:       d("2026-11-29"),
			state:   Waiting, kind: FollowUp, next: d("2026-11-30"), anchor: d("2026-11-28"),
			reason: "waiting for a reply until 2026-11-30",
		},
		{
			name:    "outreach before the fallout does not count as a try",
			contact: Contact{LastInteraction: d("2026-09-01"), Fallout: d("2026-11-20"), ReachedOut: []time.Time{d("2026-11-10")}},
			t:       d("2026-11-22"),
			state:   CoolingDown, kind: CooldownOver, next: d("2026-11-27"), anchor: d("2026-11-20"),
		},
		{
			name:    "unanswered outreach waits follow_up_after",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{at("2026-11-25 18:30")}},
			t:       at("2026-11-27 18:29"),
			state:   Waiting, kind: FollowUp, next: at("2026-11-27 18:30"), anchor: at("2026-11-25 18:30"),
		},
		{
			name:    "follow-up due at the exact instant, as the last try",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events:  []Event{{Kind: ReachedOut, At: at("2026-11-25 18:30")}},
			t:       at("2026-11-27 18:30"),
			state:   Due, kind: FollowUp, next: at("2026-11-27 18:30"), anchor: at("2026-11-25 18:30"),
			reason: "one last try",
		},
		{
			name:     "follow-up that is not yet the last try",
			settings: with(func(s *Settings) { s.MaxUnanswered = 3 }),
			contact:  Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-25")}},
			t:        d("2026-11-28"),
			state:    Due, kind: FollowUp, next: d("2026-11-27"), anchor: d("2026-11-25"),
			reason: "a light follow-up",
		},
		{
			name:    "outreach older than the last interaction is ignored",
			contact: Contact{LastInteraction: d("2026-11-20"), ReachedOut: []time.Time{d("2026-11-01"), d("2026-11-10")}},
			t:       d("2026-11-25"),
			state:   OK, kind: CheckIn, next: d("2026-12-20"), anchor: d("2026-11-20"),
		},
		{
			name:    "outreach on the day of the last interaction is ignored",
			contact: Contact{LastInteraction: d("2026-11-20"), ReachedOut: []time.Time{d("2026-11-20")}},
			t:       d("2026-11-25"),
			state:   OK, kind: CheckIn, next: d("2026-12-20"), anchor: d("2026-11-20"),
		},
		{
			name:    "a reply ends the waiting",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-25")}},
			events:  []Event{{Kind: Replied, At: d("2026-11-26")}},
			t:       d("2026-11-28"),
			state:   OK, kind: CheckIn, next: d("2026-12-26"), anchor: d("2026-11-26"),
		},
		{
			name:    "limit reached: let_be from the moment, notice after follow_up_after",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-20"), d("2026-11-25")}},
			t:       d("2026-11-26"),
			state:   LetBe, kind: LetBeNotice, next: d("2026-11-27"), anchor: d("2026-11-25"),
			reason: "letting them be from 2026-11-27",
		},
		{
			name:    "limit reached: notice due at the exact instant",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-20"), d("2026-11-25")}},
			t:       d("2026-11-27"),
			state:   LetBe, kind: LetBeNotice, next: d("2026-11-27"), anchor: d("2026-11-25"),
			reason: "no more reminders until they reply",
		},
		{
			name:     "max_unanswered 1: the first message is the last",
			settings: with(func(s *Settings) { s.MaxUnanswered = 1 }),
			contact:  Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-25")}},
			t:        d("2026-11-26"),
			state:    LetBe, kind: LetBeNotice, next: d("2026-11-27"), anchor: d("2026-11-25"),
		},
		{
			// Three texts in a row, the last 50 minutes after the first:
			// one try, waiting from the last of them.
			name:    "a burst of messages is one try",
			contact: Contact{LastInteraction: d("2026-10-01")},
			events: []Event{{Kind: ReachedOut, At: at("2026-11-25 10:00")}, {Kind: ReachedOut, At: at("2026-11-25 10:25")},
				{Kind: ReachedOut, At: at("2026-11-25 10:50")}},
			t:     d("2026-11-26"),
			state: Waiting, kind: FollowUp, next: at("2026-11-27 10:50"), anchor: at("2026-11-25 10:50"),
		},
		{
			// An hour apart, they are two: the limit of two is reached.
			name:    "messages an hour apart are two tries",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{}},
			events:  []Event{{Kind: ReachedOut, At: at("2026-11-25 10:00")}, {Kind: ReachedOut, At: at("2026-11-25 11:00")}},
			t:       d("2026-11-26"),
			state:   LetBe, kind: LetBeNotice, next: at("2026-11-27 11:00"), anchor: at("2026-11-25 11:00"),
		},
		{
			name:    "a reply after letting them be starts over",
			contact: Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-20"), d("2026-11-25")}},
			events:  []Event{{Kind: Replied, At: d("2026-11-29")}},
			t:       d("2026-11-30"),
			state:   OK, kind: CheckIn, next: d("2026-12-29"), anchor: d("2026-11-29"),
		},
		{
			name:     "hours are exact elapsed time",
			settings: with(func(s *Settings) { s.FollowUpAfter = Duration{Clock: 36 * time.Hour} }),
			contact:  Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{at("2026-11-25 10:00")}},
			t:        at("2026-11-26 22:00"),
			state:    Due, kind: FollowUp, next: at("2026-11-26 22:00"), anchor: at("2026-11-25 10:00"),
		},
		{
			name:    "config dates after t are ignored",
			contact: Contact{LastInteraction: d("2026-12-15")},
			t:       d("2026-11-30"),
			state:   Due, kind: CheckIn, next: d("2026-11-30"),
		},
		{
			name:    "cadence across the October DST change keeps midnight",
			contact: Contact{LastInteraction: d("2026-10-20")},
			t:       at("2026-11-18 23:30"),
			state:   OK, kind: CheckIn, next: d("2026-11-19"), anchor: d("2026-10-20"),
		},
		{
			name:    "cadence across the March DST change keeps midnight",
			contact: Contact{LastInteraction: d("2026-03-15")},
			t:       d("2026-04-14"),
			state:   Due, kind: CheckIn, next: d("2026-04-14"), anchor: d("2026-03-15"),
		},
		{
			name:     "hours across a DST change are elapsed hours",
			settings: with(func(s *Settings) { s.FollowUpAfter = Duration{Clock: 48 * time.Hour} }),
			contact:  Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{at("2026-10-24 12:00")}},
			t:        at("2026-10-26 11:00"),
			state:    Due, kind: FollowUp, next: at("2026-10-26 11:00"), anchor: at("2026-10-24 12:00"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.settings
			if s == (Settings{}) {
				s = def
			}
			r := Evaluate(s, &tt.contact, tt.events, tt.t)
			if r.State != tt.state || r.Kind != tt.kind {
				t.Errorf("state, kind = %s, %q; want %s, %q", r.State, r.Kind, tt.state, tt.kind)
			}
			if !r.Next.Equal(tt.next) {
				t.Errorf("next = %v; want %v", r.Next, tt.next)
			}
			if !r.Anchor.Equal(tt.anchor) {
				t.Errorf("anchor = %v; want %v", r.Anchor, tt.anchor)
			}
			reason := r.Reason(tt.t)
			if reason == "" || !strings.Contains(reason, tt.reason) {
				t.Errorf("reason = %q; want it to contain %q", reason, tt.reason)
			}
		})
	}
}

// TestEvaluateTimeZones checks that day arithmetic happens on the calendar of
// the zone the times are in: the same config date means a different instant
// in Tokyo than in New York, and the due instant is local midnight in each.
func TestEvaluateTimeZones(t *testing.T) {
	for _, name := range []string{"America/New_York", "Asia/Tokyo", "Europe/Berlin", "Australia/Lord_Howe"} {
		loc := mustZone(name)
		last := time.Date(2026, 10, 20, 0, 0, 0, 0, loc)
		c := Contact{LastInteraction: last}
		r := Evaluate(DefaultSettings(), &c, nil, last.AddDate(0, 0, 29))
		want := time.Date(2026, 11, 19, 0, 0, 0, 0, loc)
		if !r.Next.Equal(want) {
			t.Errorf("%s: next = %v; want local midnight %v", name, r.Next, want)
		}
		if h, m, _ := r.Next.In(loc).Clock(); h != 0 || m != 0 {
			t.Errorf("%s: next is %02d:%02d local; want 00:00", name, h, m)
		}
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	c := Contact{LastInteraction: d("2026-10-01"), ReachedOut: []time.Time{d("2026-11-20")}}
	events := []Event{{Kind: Fallout, At: d("2026-08-01")}, {Kind: Talked, At: d("2026-09-01")},
		{Kind: ReachedOut, At: d("2026-11-21")}, {Kind: ReachedOut, At: d("2026-11-22")}}
	s := DefaultSettings()
	s.MaxUnanswered = 5
	now := d("2026-11-30")
	allocs := testing.AllocsPerRun(100, func() { _ = Evaluate(s, &c, events, now) })
	if allocs != 0 {
		t.Errorf("Evaluate allocates %.0f times per call; want 0", allocs)
	}
}
