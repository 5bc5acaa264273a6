package mailbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/rekindle/rekindle/journal"
	"github.com/teambition/rrule-go"
)

// A calendar source (caldav.go, ics.go) reads events, never a SUMMARY,
// DESCRIPTION or LOCATION: what it judges is who was there, who answered
// what, when it happened and whether it was cancelled. Meetings turns a
// calendar object into its occurrences, each judged by judgeMeeting.

// Meeting is one occurrence of a calendar event, judged: the events it
// teaches (talked, with each person of the config who was there), or why
// none.
type Meeting struct {
	UID        string
	Start, End time.Time
	// Recurrence is the occurrence's original start in a recurring event
	// (its RECURRENCE-ID); zero for an event that happens once.
	Recurrence time.Time
	Learned    Learned
	// Pending says the occurrence may yet count: it has not ended.
	Pending bool
	// Ahead says the occurrence has not begun: it is read only for
	// Planned, and neither counted nor shown.
	Ahead bool
	// Planned are the people of the config the occurrence would count as
	// a talk with once it ends (one that has not ended); none when it
	// would not count (cancelled, declined, too large).
	Planned []string
}

// PlannedAhead is how far ahead a calendar is read for meetings to come,
// which hold a check-in (rules.Contact.Planned).
const PlannedAhead = 60 * 24 * time.Hour

// Attendance is who a calendar source knows as the user, and how many
// people make a meeting too large to be a conversation.
type Attendance struct {
	Me           []string // the user's addresses
	MaxAttendees int
	Source       string // the events' source: "caldav:work"
}

// Meetings expands the events of one calendar object (a VCALENDAR with
// one UID's master and its overridden instances, or a whole .ics feed) into
// the occurrences that start before now and end after from, each judged.
// Floating times (no zone) are in loc.
func Meetings(cal *ical.Calendar, people *People, a Attendance, from, now time.Time, loc *time.Location) ([]Meeting, []error) {
	return meetingsUntil(cal, people, a, from, now, now, loc)
}

// meetingsUntil is Meetings with the occurrences that begin between now
// and until too, each Ahead, with whom it would count as a talk with once
// it ends in Planned.
func meetingsUntil(cal *ical.Calendar, people *People, a Attendance, from, now, until time.Time, loc *time.Location) ([]Meeting, []error) {
	// The master of each UID, and its overrides by original start.
	type series struct {
		master    *ical.Event
		overrides map[time.Time]*ical.Event
	}
	byUID := map[string]*series{}
	var uids []string
	var problems []error
	zones := map[string]bool{}
	for _, ev := range cal.Events() {
		knownZones(&ev, zones)
		uid := propText(ev.Props, ical.PropUID)
		if uid == "" {
			problems = append(problems, fmt.Errorf("an event without a UID"))
			continue
		}
		s := byUID[uid]
		if s == nil {
			s = &series{overrides: map[time.Time]*ical.Event{}}
			byUID[uid] = s
			uids = append(uids, uid)
		}
		if p := ev.Props.Get(ical.PropRecurrenceID); p != nil {
			rid, err := p.DateTime(loc)
			if err != nil {
				problems = append(problems, fmt.Errorf("an event's RECURRENCE-ID %q cannot be read: %v", p.Value, err))
				continue
			}
			s.overrides[rid.UTC()] = &ev
			continue
		}
		s.master = &ev
	}
	var out []Meeting
	for _, uid := range uids {
		s := byUID[uid]
		judge := func(ev *ical.Event, recurrence time.Time, start time.Time, length time.Duration) {
			end := start.Add(length)
			if !end.After(from) || !start.Before(until) {
				return
			}
			m := Meeting{UID: uid, Start: start, End: end, Recurrence: recurrence}
			if start.Before(now) {
				m.Learned, m.Pending = judgeMeeting(ev, people, a, m, now)
			} else {
				m.Ahead = true
			}
			if end.After(now) {
				// Judged as it will be once it has ended.
				l, _ := judgeMeeting(ev, people, a, m, end)
				for _, e := range l.Events {
					m.Planned = append(m.Planned, e.Contact)
				}
			}
			out = append(out, m)
		}
		if s.master != nil {
			start, length, err := span(s.master, loc)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			starts, recurring, err := occurrences(s.master, start, loc, from.Add(-length), until)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			for _, at := range starts {
				if !recurring {
					judge(s.master, time.Time{}, at, length)
					continue
				}
				if _, over := s.overrides[at.UTC()]; over {
					continue // the override below stands for it
				}
				judge(s.master, at, at, length)
			}
		}
		// Each overridden instance is an occurrence of its own, wherever
		// it was moved to; one the master's EXDATE removed was removed.
		for rid, ev := range s.overrides {
			if s.master != nil && excluded(s.master, rid, loc) {
				continue
			}
			start, length, err := span(ev, loc)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			judge(ev, rid, start, length)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, problems
}

// judgeMeeting decides what one occurrence that started before now
// teaches; pending says it has not ended yet (it may count later).
func judgeMeeting(ev *ical.Event, people *People, a Attendance, m Meeting, now time.Time) (Learned, bool) {
	if strings.EqualFold(propText(ev.Props, ical.PropStatus), "CANCELLED") {
		return Learned{Ignored: "cancelled"}, false
	}
	if m.End.After(now) {
		return Learned{Ignored: "has not ended yet"}, true
	}
	me := map[string]bool{}
	for _, addr := range a.Me {
		me[Normalize(addr)] = true
	}
	organizer := calAddress(ev.Props.Get(ical.PropOrganizer))
	// Everyone there once: the organizer and each attendee, by address.
	everyone := map[string]bool{}
	if organizer != "" {
		everyone[organizer] = true
	}
	mine, answered := organizer != "" && me[organizer], ""
	type attendee struct{ addr, partstat string }
	var attendees []attendee
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		addr := calAddress(&p)
		if addr == "" {
			continue
		}
		partstat := strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus))
		if partstat == "" {
			partstat = "NEEDS-ACTION" // RFC 5545's default
		}
		everyone[addr] = true
		if me[addr] {
			answered = partstat
			continue
		}
		attendees = append(attendees, attendee{addr, partstat})
	}
	switch {
	case mine:
	case answered == "ACCEPTED":
	case answered == "":
		if organizer == "" && len(attendees) == 0 {
			return Learned{Ignored: "no one else is invited"}, false
		}
		return Learned{Ignored: "you are neither its organizer nor among its attendees (see me =)"}, false
	default:
		return Learned{Ignored: "an invitation you did not accept (" + strings.ToLower(answered) + ")"}, false
	}
	if n := len(everyone); n > a.MaxAttendees {
		return Learned{Ignored: fmt.Sprintf("%d people (more than max_attendees = %d)", n, a.MaxAttendees)}, false
	}
	var l Learned
	add := func(addr string) {
		id, ok := people.Lookup(addr)
		if !ok {
			return
		}
		for _, e := range l.Events {
			if e.Contact == id {
				return // two addresses of one person
			}
		}
		l.Events = append(l.Events, journal.Event{Contact: id, Kind: journal.Talked, At: m.Start, Source: a.Source,
			Dedup: meetingDedup(m.UID, m.Recurrence, id)})
	}
	if organizer != "" && !me[organizer] {
		add(organizer)
	}
	for _, at := range attendees {
		// One who declined was not there.
		if at.partstat != "DECLINED" {
			add(at.addr)
		}
	}
	if len(l.Events) == 0 {
		return Learned{Ignored: "with nobody in the config"}, false
	}
	return l, false
}

// meetingDedup is the dedup key of a talked event learned from an
// occurrence: a hash of the event's UID, the occurrence and the person.
func meetingDedup(uid string, recurrence time.Time, contact string) string {
	occ := ""
	if !recurrence.IsZero() {
		occ = recurrence.UTC().Format("20060102T150405Z")
	}
	sum := sha256.Sum256([]byte("meeting\x00" + uid + "\x00" + occ + "\x00" + contact + "\x00" + string(journal.Talked)))
	return hex.EncodeToString(sum[:16])
}

// span is an event's start and length.
func span(ev *ical.Event, loc *time.Location) (time.Time, time.Duration, error) {
	start, err := ev.DateTimeStart(loc)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("an event's DTSTART cannot be read: %v", err)
	}
	if start.IsZero() {
		return time.Time{}, 0, fmt.Errorf("an event without a DTSTART")
	}
	end, err := ev.DateTimeEnd(loc)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("an event's DTEND or DURATION cannot be read: %v", err)
	}
	if end.Before(start) {
		end = start
	}
	return start, end.Sub(start), nil
}

// occurrences returns the starts of an event's occurrences between after
// and before: the one start of an event that does not recur, or those its
// RRULE and RDATE make, less its EXDATEs. (rrule-go expands the rule; the
// dates are read here because a line may hold several, comma-separated.)
func occurrences(ev *ical.Event, start time.Time, loc *time.Location, after, before time.Time) ([]time.Time, bool, error) {
	opt, err := ev.Props.RecurrenceRule()
	if err != nil {
		return nil, false, fmt.Errorf("an event's RRULE cannot be read: %v", err)
	}
	rdates, err := dates(ev, ical.PropRecurrenceDates, loc)
	if err != nil {
		return nil, false, err
	}
	if opt == nil && len(rdates) == 0 {
		return []time.Time{start}, false, nil
	}
	var set rrule.Set
	set.DTStart(start)
	if opt != nil {
		opt.Dtstart = start
		rule, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, false, fmt.Errorf("an event's RRULE cannot be read: %v", err)
		}
		set.RRule(rule)
	} else {
		set.RDate(start)
	}
	for _, d := range rdates {
		set.RDate(d)
	}
	exdates, err := dates(ev, ical.PropExceptionDates, loc)
	if err != nil {
		return nil, false, err
	}
	for _, d := range exdates {
		set.ExDate(d)
	}
	// A rule that repeats every second (or has a BYSECOND for each) would
	// make millions of occurrences: the expansion stops at maxOccurrences
	// counted from DTSTART, and the event is said to be unreadable.
	var out []time.Time
	next := set.Iterator()
	for n := 0; ; n++ {
		t, ok := next()
		if !ok || !t.Before(before) {
			return out, true, nil
		}
		if n == maxOccurrences {
			return nil, true, fmt.Errorf("an event that repeats more than %d times before now: not a meeting", maxOccurrences)
		}
		if !t.Before(after) {
			out = append(out, t)
		}
	}
}

// maxOccurrences is how many times a recurring event is expanded at most,
// from its first: a daily meeting for 50 years.
const maxOccurrences = 20000

// excluded says whether the master's EXDATE removes the occurrence that
// started at t.
func excluded(master *ical.Event, t time.Time, loc *time.Location) bool {
	ex, _ := dates(master, ical.PropExceptionDates, loc)
	for _, d := range ex {
		if d.Equal(t) {
			return true
		}
	}
	return false
}

// dates reads every date of an EXDATE or RDATE line (there may be several
// lines, each with several dates).
func dates(ev *ical.Event, name string, loc *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, p := range ev.Props.Values(name) {
		if p.ValueType() == ical.ValuePeriod {
			continue // RDATE;VALUE=PERIOD: rare, and its start is what counts
		}
		for _, v := range strings.Split(p.Value, ",") {
			one := p
			one.Value = strings.TrimSpace(v)
			d, err := one.DateTime(loc)
			if err != nil {
				return nil, fmt.Errorf("an event's %s %q cannot be read: %v", name, v, err)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// calAddress is the normalised email of an ORGANIZER or ATTENDEE
// ("mailto:ana@example.org"); "" for none or one that is not an email.
func calAddress(p *ical.Prop) string {
	if p == nil {
		return ""
	}
	v := strings.TrimSpace(p.Value)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if n := Normalize(v); n != "" {
		return n
	}
	// Some servers write a principal's URL and the address in EMAIL=.
	return Normalize(p.Params.Get("EMAIL"))
}

func propText(props ical.Props, name string) string {
	p := props.Get(name)
	if p == nil {
		return ""
	}
	return strings.TrimSpace(p.Value)
}
