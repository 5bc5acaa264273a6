package mailbox

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

// Store is what a sync needs of the state file.
type Store interface {
	AddLearned(ctx context.Context, events []journal.Event, now time.Time) ([]journal.Event, error)
	Cursor(ctx context.Context, source, folder string) ([]byte, error)
	SetCursor(ctx context.Context, source, folder string, cursor []byte) error
}

// Seen is one message a sync looked at, for `rekindle sync --dry-run`: its
// date, its folder's role and what it taught (or why nothing). It holds
// no subject and no address.
type Seen struct {
	Date    time.Time
	Role    Role
	Learned Learned
	Problem string // the header could not be read
}

// Result counts what a sync did.
type Result struct {
	Read      int // messages looked at
	Used      int // messages that taught something
	Ignored   int // messages that taught nothing, each with a reason
	Malformed int // messages whose header could not be read
	Added     int // events written (0 in a dry run)
	People    int // people added, changed or removed (an address book)
}

// Sync reads what is new in one source and learns from it. With dryRun
// nothing is written; each message goes to seen (which may be nil).
type Sync struct {
	Source *config.Source
	People *People
	Store  Store
	Now    time.Time
	DryRun bool
	Seen   func(Seen)
	// Learned hears each event written (none in a dry run).
	Learned func(journal.Event)
	// Clock is the time an event is written at (its Logged), read when it
	// is; nil: Now. The daemon's sync gives the clock: a reminder enqueued
	// while the sync read is checked against what the sync wrote after
	// it (scheduler.Stale), which a sync's start time would hide.
	Clock func() time.Time
}

// Run syncs the source once.
func (s *Sync) Run(ctx context.Context) (Result, error) {
	src, err := Open(s.Source)
	if err != nil {
		return Result{}, err
	}
	var res Result
	return res, src.Sync(ctx, s, &res)
}

// cursor reads into v where the last sync stopped reading folder; v is
// left as it is when none has.
func (s *Sync) cursor(ctx context.Context, folder string, v any) error {
	b, err := s.Store.Cursor(ctx, Label(s.Source), folder)
	if err != nil || b == nil {
		return err
	}
	// One that is not what this type writes leaves v as never read: the
	// folder is read again, and the dedup keys add nothing twice.
	_ = json.Unmarshal(b, v)
	return nil
}

// commit writes what a folder taught, then how far it was read (nothing in
// a dry run). A crash between the two rereads the folder next time, and
// the dedup keys make that add nothing twice.
func (s *Sync) commit(ctx context.Context, folder string, events []journal.Event, read any, res *Result) error {
	if s.DryRun {
		return nil
	}
	added, err := s.Store.AddLearned(ctx, events, s.written())
	if err != nil {
		return err
	}
	res.Added += len(added)
	if s.Learned != nil {
		for _, e := range added {
			s.Learned(e)
		}
	}
	b, err := json.Marshal(read)
	if err != nil {
		return err
	}
	return s.Store.SetCursor(ctx, Label(s.Source), folder, b)
}

// written is the time of what is written now (Clock).
func (s *Sync) written() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return s.Now
}

// consider learns from one message's header (or counts it unreadable).
func (s *Sync) consider(h Header, err error, role Role, label string, res *Result, events []journal.Event) []journal.Event {
	return s.learn(h.Date, err, role, res, events, func() Learned {
		return Match(h, role, s.People, label, s.Source.MaxRecipients)
	})
}

// considerCall learns from one call or text (or counts it unreadable),
// matched by number (phone.Book.Learn).
func (s *Sync) considerCall(r phone.Record, err error, label string, res *Result, events []journal.Event) []journal.Event {
	return s.learn(r.At, err, Phone, res, events, func() Learned {
		p := s.People.Phones().Learn(r, phone.Source(s.Source.Name))
		if p.Ignored != "" {
			return Learned{Ignored: p.Ignored}
		}
		return Learned{Events: []journal.Event{p.Event}}
	})
}

// learn counts one message or record dated at (unreadable when err says
// so): one dated before backfill is passed over as if never read, one
// dated out of range or in the future is ignored, any other is what match
// makes of it. It returns events with what it teaches added.
func (s *Sync) learn(at time.Time, err error, role Role, res *Result, events []journal.Event, match func() Learned) []journal.Event {
	if err != nil {
		res.Malformed++
		s.seen(Seen{Role: role, Problem: err.Error()})
		return events
	}
	if !at.IsZero() && at.Before(s.Source.Backfill.Before(s.Now)) {
		res.Read--
		return events // older than backfill: not read at all
	}
	var l Learned
	switch {
	case journal.CheckTime(at) != nil && !at.IsZero() && role == Phone:
		l.Ignored = "a time out of range: " + at.Format(time.RFC3339) // a call's or a text's, which has no Date header
	case journal.CheckTime(at) != nil && !at.IsZero():
		l.Ignored = "a Date out of range: " + at.Format(time.RFC3339)
	case at.After(s.Now.Add(journal.MaxAhead)):
		l.Ignored = "dated in the future: " + at.Format(time.RFC3339)
	default:
		l = match()
	}
	if l.Ignored != "" {
		res.Ignored++
	} else {
		res.Used++
		events = append(events, l.Events...)
	}
	s.seen(Seen{Date: at, Role: role, Learned: l})
	return events
}

func (s *Sync) seen(x Seen) {
	if s.Seen != nil {
		s.Seen(x)
	}
}
