package mailbox

import (
	"context"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Calendar is the role of a calendar's events: a meeting with a contact
// is a talk with them (meeting.go).
const Calendar Role = Sent + 1

// Phone is a folder of calls and texts: SMS Backup+'s mail, or a phone
// backup's file. What each record teaches is phone.Book.Learn's.
const Phone Role = Calendar + 1

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
// source's backfill and now (floating times in Now's zone, the config's),
// counts and shows each occurrence, and returns events with what they
// teach added, and the end of the first occurrence that has not ended
// (zero: none). A talk the user logged by hand on the day of a meeting
// wins: the meeting adds nothing for that person.
//
// It returns too the meetings to come (begun or not, within PlannedAhead)
// that would count, one for each person, for SetPlanned; the end of the
// first of them is a time to read the calendar again as well.
func (s *Sync) meetings(ctx context.Context, cal *ical.Calendar, a config.Attendance, res *Result, events []journal.Event, recheck time.Time) ([]journal.Event, []journal.PlannedMeeting, time.Time, error) {
	att := Attendance{Me: a.Me, MaxAttendees: a.MaxAttendees, Source: Label(s.Source)}
	loc := s.Now.Location()
	ms, problems := meetingsUntil(cal, s.People, att, s.Source.Backfill.Before(s.Now), s.Now, s.Now.Add(PlannedAhead), loc)
	for _, p := range problems {
		res.Read++
		res.Malformed++
		s.seen(Seen{Role: Calendar, Problem: p.Error()})
	}
	var planned []journal.PlannedMeeting
	for _, m := range ms {
		for _, id := range m.Planned {
			planned = append(planned, journal.PlannedMeeting{Contact: id, Start: m.Start, End: m.End})
		}
		if m.Ahead {
			if len(m.Planned) > 0 && (recheck.IsZero() || m.End.Before(recheck)) {
				recheck = m.End
			}
			continue // not begun: neither counted nor shown
		}
		res.Read++
		if m.Pending && (recheck.IsZero() || m.End.Before(recheck)) {
			recheck = m.End
		}
		if len(m.Learned.Events) > 0 {
			var logged []string
			kept, err := byHand(ctx, s.Store, m.Learned.Events, loc, func(e journal.Event) { logged = append(logged, e.Contact) })
			if err != nil {
				return nil, nil, time.Time{}, err
			}
			switch {
			case len(kept) == 0:
				m.Learned = Learned{Ignored: "you logged talking with " + strings.Join(logged, ", ") + " by hand that day"}
			case len(logged) > 0:
				m.Learned.Events = kept
				m.Learned.Note = "(logged by hand that day: " + strings.Join(logged, ", ") + ")"
			}
		}
		if m.Learned.Ignored != "" {
			res.Ignored++
		} else {
			res.Used++
			events = append(events, m.Learned.Events...)
		}
		s.seen(Seen{Date: m.Start, Role: Calendar, Learned: m.Learned})
	}
	return events, planned, recheck, nil
}

// plannedStore is what a calendar sync asks of the state file besides a
// Store, when it can: to keep the meetings to come of a calendar.
type plannedStore interface {
	SetPlanned(ctx context.Context, source, folder string, meetings []journal.PlannedMeeting, now time.Time) error
}

// plan keeps the meetings to come that the read of folder found, in place
// of those the last read found: one cancelled or declined since is gone.
func (s *Sync) plan(ctx context.Context, folder string, planned []journal.PlannedMeeting) error {
	p, ok := s.Store.(plannedStore)
	if s.DryRun || !ok {
		return nil
	}
	return p.SetPlanned(ctx, Label(s.Source), folder, planned, s.written())
}

// handLog is what a calendar sync asks of the state file besides a
// Store, when it can: whether the user logged a talk with someone by hand
// on the day of a meeting (journal.LoggedByHand).
type handLog interface {
	LoggedByHand(ctx context.Context, contact string, kind journal.Kind, from, to time.Time) (bool, error)
}

// byHand drops from events each talk that the user logged by hand on the
// day of the meeting (in loc, the config's zone): their log wins, and the
// meeting adds nothing. seen hears each dropped, for a dry run.
func byHand(ctx context.Context, store Store, events []journal.Event, loc *time.Location, seen func(journal.Event)) ([]journal.Event, error) {
	h, ok := store.(handLog)
	if !ok {
		return events, nil
	}
	out := events[:0:0]
	for _, e := range events {
		t := e.At.In(loc)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		logged, err := h.LoggedByHand(ctx, e.Contact, e.Kind, day, day.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		if logged {
			seen(e)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}
