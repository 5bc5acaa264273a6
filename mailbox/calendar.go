package mailbox

import (
	"time"

	"github.com/emersion/go-ical"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Calendar is the role of a calendar's events: a meeting with a contact
// is a talk with them (meeting.go).
const Calendar Role = Sent + 1

// IsCalendar says whether a source type reads a calendar (meetings)
// rather than a mailbox (messages).
func IsCalendar(typ string) bool { return typ == "caldav" || typ == "ics" }

// calendarCursor is where a calendar was read to: its version as the
// server tags it (an ics address's ETag, a CalDAV calendar's ctag or sync
// token), and the end of the first meeting that had not ended then. The
// calendar is read again, even unchanged, once that time has come: the
// meeting may count now.
type calendarCursor struct {
	Tag     string    `json:"tag,omitempty"`
	Recheck time.Time `json:"recheck,omitzero"`
}

// unchanged says whether a calendar read before need not be read again:
// the server says it is the same, and no meeting has ended since.
func (c calendarCursor) unchanged(tag string, now time.Time) bool {
	return tag != "" && tag == c.Tag && (c.Recheck.IsZero() || now.Before(c.Recheck))
}

// meetings judges the events of one calendar object (Meetings) within the
// source's backfill and now, counts and shows each occurrence, and
// returns events with what they teach added, and the end of the first
// occurrence that has not ended (zero: none).
func (s *Sync) meetings(cal *ical.Calendar, a config.Attendance, res *Result, events []journal.Event, recheck time.Time) ([]journal.Event, time.Time) {
	att := Attendance{Me: a.Me, MaxAttendees: a.MaxAttendees, Source: Label(s.Source)}
	ms, problems := Meetings(cal, s.People, att, s.Source.Backfill.Before(s.Now), s.Now, s.Now.Location())
	for _, p := range problems {
		res.Read++
		res.Malformed++
		s.seen(Seen{Role: Calendar, Problem: p.Error()})
	}
	for _, m := range ms {
		res.Read++
		if m.Pending && (recheck.IsZero() || m.End.Before(recheck)) {
			recheck = m.End
		}
		if m.Learned.Ignored != "" {
			res.Ignored++
		} else {
			res.Used++
			events = append(events, m.Learned.Events...)
		}
		s.seen(Seen{Date: m.Start, Role: Calendar, Learned: m.Learned})
	}
	return events, recheck
}

// calendarSpec is what the two calendar types share.
func attendance(src *config.Source) config.Attendance {
	switch spec := src.Spec.(type) {
	case *config.CalDAVSpec:
		return spec.Attendance
	case *config.ICSSpec:
		return spec.Attendance
	}
	return config.Attendance{}
}
