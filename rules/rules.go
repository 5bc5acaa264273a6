// Package rules decides, for one person at one instant, whether rekindle
// should remind its user to reach out, and why.
//
// Evaluate is a pure function of the person's settings, the dates from the
// config, the journal's events and the instant t: no clock, no I/O, no
// allocation on the hot path. The order of the rules is the product contract
// (docs/rules.md):
//
//  1. paused, then an explicit let-be, then an active snooze;
//  2. an unresolved fallout with no outreach since: cooling down until the
//     cooldown ends, then due (cooldown_over);
//  3. unanswered outreach: waiting until follow_up_after has passed since the
//     last message, then due (follow_up); once max_unanswered messages are
//     unanswered, let_be, with one notice when follow_up_after has passed;
//  4. otherwise ok until every has passed since the last interaction, then due
//     (check_in); with none on record, due at once, or from the person's turn
//     in the queue of new people (Contact.Turn);
//  5. over 2 to 4, unless they are let be or snoozed: a birthday or another
//     date that comes back each year is due from occasion_notice before its
//     day to the day's end (occasion), once a year; the state it interrupts
//     is kept in During and comes back after it.
//
// All times must be in the configured time zone: day arithmetic happens on
// their calendar.
package rules

import (
	"fmt"
	"slices"
	"time"
)

// State is what rekindle thinks of a person right now.
type State string

// The contact states (docs/rules.md).
const (
	OK          State = "ok"
	Due         State = "due"
	CoolingDown State = "cooling_down"
	Waiting     State = "waiting"
	LetBe       State = "let_be"
	Snoozed     State = "snoozed"
	Paused      State = "paused"
)

// Kind is the kind of a reminder.
type Kind string

// The reminder kinds (see docs/rules.md). None means no reminder will come.
const (
	None         Kind = ""
	CheckIn      Kind = "check_in"
	CooldownOver Kind = "cooldown_over"
	FollowUp     Kind = "follow_up"
	LetBeNotice  Kind = "let_be"
	OccasionKind Kind = "occasion" // a birthday or another date that comes back each year
)

// Settings are one person's resolved rule settings.
type Settings struct {
	Every         Duration // cadence; zero turns check-ins off
	Cooldown      Duration // quiet time after a fallout
	FollowUpAfter Duration // spacing between unanswered messages
	MaxUnanswered int      // unanswered messages before letting them be (>= 1)
	RemindAgain   Duration // first gap before a due reminder comes again; zero: never repeat
	// MaxReminders is how many times one reminder comes in all, the first
	// included (>= 1); each repeat waits twice as long as the one before.
	MaxReminders int
	// OccasionNotice is how long before an occasion its reminder comes;
	// zero: on the day.
	OccasionNotice Duration
}

// DefaultSettings are the built-in defaults (docs/config.md).
func DefaultSettings() Settings {
	return Settings{
		Every:          Duration{Days: 30},
		Cooldown:       Duration{Days: 7},
		FollowUpAfter:  Duration{Days: 2},
		MaxUnanswered:  2,
		RemindAgain:    Duration{Days: 3},
		MaxReminders:   3,
		OccasionNotice: Duration{Days: 1},
	}
}

// Contact holds the dates a person wrote in the config. Zero times are unset.
type Contact struct {
	LastInteraction time.Time
	Fallout         time.Time
	ReachedOut      []time.Time
	Paused          bool
	Occasions       []Occasion // birthdays and other dates that come back each year
	// Turn is, for someone with no interaction on record, the day their
	// first check-in comes in the queue of new people; zero: at once.
	Turn time.Time
	// Planned are the meetings in the user's calendar with the person that
	// would count as a talk once they end (mailbox.Planned), in time
	// order. One still to come holds a check-in that would come before
	// its end: the meeting is the check-in.
	Planned []Meeting
}

// Meeting is a planned meeting's span.
type Meeting struct {
	Start, End time.Time
}

// Occasion is a date that comes back every year: a birthday, an
// anniversary, any day the user names.
type Occasion struct {
	Name  string // "birthday", or the name the user gave it
	Year  int    // 0 when not known
	Month time.Month
	Day   int
}

// String writes the occasion's date as the config takes it: 1990-04-12,
// or --04-12 without a year.
func (o Occasion) String() string {
	if o.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(o.Month), o.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", o.Year, int(o.Month), o.Day)
}

// Words is the occasion's date as a person reads it: "12 April", or
// "12 April 1990" with the year.
func (o Occasion) Words() string {
	if o.Year == 0 {
		return fmt.Sprintf("%d %s", o.Day, o.Month)
	}
	return fmt.Sprintf("%d %s %d", o.Day, o.Month, o.Year)
}

// Birthday is the name of the occasion that birthday = ... sets.
const Birthday = "birthday"

// EventKind is the kind of a journal event.
type EventKind uint8

// Journal event kinds.
const (
	Talked EventKind = iota + 1
	Replied
	ReachedOut
	Fallout
	Snooze
	LetBeEvent
	Resume
)

// Event is a journal entry as the rules need it.
type Event struct {
	Kind  EventKind
	At    time.Time
	Until time.Time // end of a snooze
	// Via is how an event learned from a source came: "email", "text";
	// "" for one logged by hand.
	Via string
}

// Result is the outcome of Evaluate. Besides the state it carries the facts
// behind it, so Reason can explain without evaluating again.
type Result struct {
	State State
	// Kind is the reminder the person is due for (State Due, or LetBe with
	// an automatic notice) or heading to; None when no reminder will come.
	Kind Kind
	// Next is when Kind becomes (or became) due, before schedule and quiet
	// hours; zero when Kind is None.
	Next time.Time
	// Anchor is the date that opened the episode: with the contact and Kind
	// it is the reminder's identity.
	Anchor time.Time

	Last       time.Time // latest interaction, zero when none is known
	LastVia    string    // Last is a reply learned from a source: "email", "text"; "" otherwise
	Fallout    time.Time // unresolved fallout, zero when none
	Unanswered int       // unanswered messages since the last interaction
	LastTry    bool      // the follow-up due is the last one allowed
	Since      time.Time // when the explicit let-be or snooze was logged
	Until      time.Time // end of an active snooze
	Blocked    State     // the state a snooze hides (its Kind and Next are kept)

	// Occasion is the occasion due (Kind OccasionKind), else the next one to
	// come; OccasionDay is its day this time (midnight), zero when the
	// person has none. During is the state an occasion reminder comes in:
	// OK or Due as usual, CoolingDown or Waiting when things are quiet.
	Occasion    Occasion
	OccasionDay time.Time
	During      State
	// Seeing is the start of the planned meeting that holds the check-in
	// (Kind CheckIn, not due before the meeting ends); zero: none.
	Seeing time.Time
	// Wake is the next instant after t at which the result changes if
	// nothing is logged (a reminder comes due, an occasion begins or
	// ends); zero: never.
	Wake time.Time

	settings Settings
}

// Years counts the years since the occasion's first time, on its day this
// time: 37 for a birthday in 1989 on its day in 2026. 0 when the year is
// not known or there is no occasion.
func (r *Result) Years() int {
	if r.Occasion.Year == 0 || r.OccasionDay.IsZero() {
		return 0
	}
	return r.OccasionDay.Year() - r.Occasion.Year
}

// IsDue reports whether the reminder Kind is due at t.
func (r *Result) IsDue(t time.Time) bool {
	return r.Kind != None && !r.Next.After(t)
}

// Reminds reports whether a reminder is due at t and nothing holds it back:
// due and not snoozed. The daemon, plan, status and the stale check all ask
// it, so they cannot disagree on who is due.
func (r *Result) Reminds(t time.Time) bool {
	return r.State != Snoozed && r.IsDue(t)
}

// RepeatAfter is when a reminder already sent n times (n >= 1), the last
// time at last, may come again; zero when it may not: remind_again is the
// first gap, each later one twice the one before (3, 6, 12 days), and
// max_reminders ends it. An occasion and a let-be notice come once.
func (s *Settings) RepeatAfter(k Kind, n int, last time.Time) time.Time {
	if n < 1 {
		return last
	}
	if k == OccasionKind || k == LetBeNotice || s.RemindAgain.IsZero() || n >= s.MaxReminders {
		return time.Time{}
	}
	gap := s.RemindAgain
	for i := 1; i < n; i++ {
		gap.Days *= 2
		gap.Clock *= 2
	}
	return gap.After(last)
}

// Burst is how close together messages to a person are one message: a
// few texts in a row, or a mail and the correction sent after it, are one
// try at reaching them, not several.
const Burst = time.Hour

// tries counts the messages sent in out (in any order) as tries at
// reaching someone: a message less than Burst after the one before it is
// part of the same try. It returns the number of tries and the latest
// message, from which the wait for a follow-up counts.
func tries(out []time.Time) (n int, last time.Time) {
	slices.SortFunc(out, time.Time.Compare)
	for i, at := range out {
		if i == 0 || at.Sub(out[i-1]) >= Burst {
			n++
		}
		last = at
	}
	return n, last
}

// Evaluate applies the rules to one person at instant t. Events must be in
// time order; events and config dates after t are ignored, so evaluating at a
// past instant shows the state as it was then.
func Evaluate(s Settings, c *Contact, events []Event, t time.Time) Result {
	r := Result{settings: s}
	last := c.LastInteraction
	if last.After(t) {
		last = time.Time{}
	}
	fallout := c.Fallout
	if fallout.After(t) {
		fallout = time.Time{}
	}
	var letBe, snoozeAt, snoozeUntil time.Time
	for i := range events {
		e := &events[i]
		if e.At.After(t) {
			break
		}
		switch e.Kind {
		case Talked, Replied:
			if e.At.After(last) {
				last = e.At
				r.LastVia = ""
				if e.Kind == Replied {
					r.LastVia = e.Via
				}
			}
		case Fallout:
			if e.At.After(fallout) {
				fallout = e.At
			}
		case LetBeEvent:
			letBe = e.At
		case Snooze:
			snoozeAt, snoozeUntil = e.At, e.Until
		case Resume:
			letBe, snoozeAt, snoozeUntil = time.Time{}, time.Time{}, time.Time{}
		}
	}
	r.Last = last

	switch {
	case c.Paused:
		r.State = Paused
		return r
	case !letBe.IsZero():
		r.State = LetBe
		r.Since = letBe
		return r
	}

	// A fallout on or after the last interaction is unresolved. Outreach
	// then counts from the fallout: the messages before the argument are
	// not tries at making up.
	from := last
	if !fallout.IsZero() && !fallout.Before(last) {
		r.Fallout = fallout
		from = fallout
	}
	var buf [8]time.Time // most people: no allocation
	out := buf[:0]
	for _, at := range c.ReachedOut {
		if at.After(from) && !at.After(t) {
			out = append(out, at)
		}
	}
	for i := range events {
		if at := events[i].At; events[i].Kind == ReachedOut && at.After(from) && !at.After(t) {
			out = append(out, at)
		}
	}
	n, lastOut := tries(out)
	r.Unanswered = n

	switch {
	case !r.Fallout.IsZero() && n == 0:
		r.Kind = CooldownOver
		r.Anchor = r.Fallout
		r.Next = s.Cooldown.After(r.Fallout)
		r.State = CoolingDown
	case n > 0:
		r.Anchor = lastOut
		r.Next = s.FollowUpAfter.After(lastOut)
		if n >= s.MaxUnanswered {
			r.Kind = LetBeNotice
			r.State = LetBe
		} else {
			r.Kind = FollowUp
			r.LastTry = n+1 >= s.MaxUnanswered
			r.State = Waiting
		}
	case s.Every.IsZero():
		r.State = OK
	case last.IsZero():
		// Someone new: due at once, or on their turn in the queue of new
		// people (docs/rules.md, "People without a date").
		r.Kind = CheckIn
		r.Next = t
		if !c.Turn.IsZero() {
			r.Next = c.Turn
		}
		r.State = OK
	default:
		r.Kind = CheckIn
		r.Anchor = last
		r.Next = s.Every.After(last)
		r.State = OK
	}
	// A planned meeting holds a check-in that would come before a day
	// after its end (plannedGrace): the calendar is read again once it
	// ends, and a meeting that happened is learned and resets the
	// cadence; one cancelled leaves Planned at the next read; one that
	// passes unlearned gives the check-in back a day after its end.
	if r.Kind == CheckIn {
		for _, m := range c.Planned {
			back := m.End.AddDate(0, 0, plannedGrace)
			if back.After(t) && m.Start.After(last) {
				if r.Next.Before(back) {
					r.Seeing = m.Start
					r.Next = back
				}
				break
			}
		}
	}
	if r.State != LetBe && r.IsDue(t) {
		r.State = Due
	}

	snoozed := !snoozeUntil.IsZero() && t.Before(snoozeUntil)
	if r.Kind != None && r.Next.After(t) {
		r.Wake = r.Next
	}
	// An occasion takes the reminder from occasion_notice before its day
	// to the day's end, whatever else is going on, except for someone let
	// be (by the user or after the last try) or snoozed. It never counts
	// as outreach: the episode it interrupts goes on after it.
	if o, day, ok := nextOccasion(c.Occasions, s.OccasionNotice, t); ok {
		r.Occasion, r.OccasionDay = o, day
		start, end := s.OccasionNotice.Before(day), day.AddDate(0, 0, 1)
		switch {
		case start.After(t):
			r.Wake = Earliest(r.Wake, start)
		case r.State != LetBe && !snoozed:
			r.During = r.State
			r.State, r.Kind, r.Next, r.Anchor = Due, OccasionKind, start, day
			r.Wake = end
		default:
			r.Wake = Earliest(r.Wake, end) // the next one may come after
		}
	}

	if snoozed {
		r.Blocked = r.State
		r.State = Snoozed
		r.Since, r.Until = snoozeAt, snoozeUntil
		if r.Kind != None && r.Next.Before(snoozeUntil) {
			r.Next = snoozeUntil
		}
		r.Wake = Earliest(r.Wake, snoozeUntil)
	}
	return r
}

// plannedGrace is how many days after a planned meeting's end its hold
// lasts: time for the calendar to be read again and the meeting learned
// (a Google feed is refreshed hours late) before the check-in comes back.
const plannedGrace = 1

// Earliest is the earlier of two instants, zero standing for never.
func Earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// nextOccasion finds the occasion whose day ends soonest after t (so one
// whose notice has begun comes before one still ahead), and that day, at
// midnight on t's calendar. 29 February falls on 28 February in other
// years; a date with a known year counts from that year on.
func nextOccasion(list []Occasion, notice Duration, t time.Time) (Occasion, time.Time, bool) {
	var best Occasion
	var bestDay time.Time
	for _, o := range list {
		// The notice is at most a year, so last year's day, this year's
		// and next year's cover every window that may hold t.
		for y := t.Year() - 1; y <= t.Year()+1; y++ {
			if o.Year != 0 && y < o.Year {
				continue
			}
			d := o.Day
			if o.Month == time.February && d == 29 && !leap(y) {
				d = 28
			}
			day := time.Date(y, o.Month, d, 0, 0, 0, 0, t.Location())
			if !day.AddDate(0, 0, 1).After(t) {
				continue
			}
			if bestDay.IsZero() || day.Before(bestDay) {
				best, bestDay = o, day
			}
			break // later years of this occasion come later still
		}
	}
	return best, bestDay, !bestDay.IsZero()
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
