package mailbox

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Store is what a sync needs of the state file.
type Store interface {
	AddLearned(ctx context.Context, events []journal.Event, now time.Time) ([]journal.Event, error)
	Folder(ctx context.Context, source, folder string) (journal.Folder, error)
	SetFolder(ctx context.Context, source, folder string, f journal.Folder) error
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
}

// Label is how a source names itself in events: "maildir:home".
func Label(s *config.Source) string { return s.Type + ":" + s.Name }

// Run syncs the source once.
func (s *Sync) Run(ctx context.Context) (Result, error) {
	switch spec := s.Source.Spec.(type) {
	case *config.MaildirSpec:
		var res Result
		for _, f := range []struct {
			dir  string
			role Role
		}{{spec.Inbox, Inbox}, {spec.Sent, Sent}} {
			if err := s.maildir(ctx, f.dir, f.role, &res); err != nil {
				return res, err
			}
		}
		return res, nil
	case *config.IMAPSpec:
		var res Result
		return res, s.imap(ctx, spec, &res)
	}
	return Result{}, fmt.Errorf("source %s: type %s cannot be synced", s.Source.Name, s.Source.Type)
}

// rescan is how far back of the newest file read a later sync looks again:
// a mail program may deliver a file with an older time.
const rescan = time.Hour

// maildir reads one Maildir folder: every message on the first sync (those
// dated within backfill), then the files changed since the newest one read
// (never later than now: see changedAt).
func (s *Sync) maildir(ctx context.Context, dir string, role Role, res *Result) error {
	label := Label(s.Source)
	state, err := s.Store.Folder(ctx, label, dir)
	if err != nil {
		return err
	}
	// A watermark after now (left by a rekindle that trusted a file dated
	// 2099) says nothing of how far the folder was read: it is read whole
	// again, and the dedup keys add nothing twice.
	if state.Scanned.After(s.Now) {
		state.Scanned = time.Time{}
	}
	since := time.Time{}
	if !state.Scanned.IsZero() {
		since = state.Scanned.Add(-rescan)
	}
	msgs, err := listMaildir(dir, since, s.Now)
	if err != nil {
		return fmt.Errorf("source %s: %w", s.Source.Name, err)
	}
	newest := state.Scanned
	var events []journal.Event
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Read++
		if m.changed.After(newest) {
			newest = m.changed
		}
		h, err := readHeader(m.path)
		events = s.consider(h, err, role, label, res, events)
	}
	return s.commit(ctx, label, dir, events, journal.Folder{Scanned: newest}, res)
}

// commit writes what a folder taught, then how far it was read (nothing in
// a dry run). A crash between the two rereads the folder next time, and
// the dedup keys make that add nothing twice.
func (s *Sync) commit(ctx context.Context, label, folder string, events []journal.Event, read journal.Folder, res *Result) error {
	if s.DryRun {
		return nil
	}
	added, err := s.Store.AddLearned(ctx, events, s.Now)
	if err != nil {
		return err
	}
	res.Added += len(added)
	if s.Learned != nil {
		for _, e := range added {
			s.Learned(e)
		}
	}
	return s.Store.SetFolder(ctx, label, folder, read)
}

// consider learns from one message's header (or counts it unreadable):
// a message dated before backfill is passed over as if never read, one
// dated out of range or in the future is ignored, any other is matched.
// It returns events with what the message teaches added.
func (s *Sync) consider(h Header, err error, role Role, label string, res *Result, events []journal.Event) []journal.Event {
	if err != nil {
		res.Malformed++
		s.seen(Seen{Role: role, Problem: err.Error()})
		return events
	}
	if !h.Date.IsZero() && h.Date.Before(s.Source.Backfill.Before(s.Now)) {
		res.Read--
		return events // older than backfill: not read at all
	}
	var l Learned
	switch {
	case journal.CheckTime(h.Date) != nil && !h.Date.IsZero():
		l.Ignored = "a Date out of range: " + h.Date.Format(time.RFC3339)
	case h.Date.After(s.Now.Add(journal.MaxAhead)):
		l.Ignored = "dated in the future: " + h.Date.Format(time.RFC3339)
	default:
		l = Match(h, role, s.People, label, s.Source.MaxRecipients)
	}
	if l.Ignored != "" {
		res.Ignored++
	} else {
		res.Used++
		events = append(events, l.Events...)
	}
	s.seen(Seen{Date: h.Date, Role: role, Learned: l})
	return events
}

func (s *Sync) seen(x Seen) {
	if s.Seen != nil {
		s.Seen(x)
	}
}

// Check connects to a source and finds its folders without reading a
// message: what `rekindle sync --check` reports. It returns the folders it
// would read.
func Check(ctx context.Context, src *config.Source) ([]string, error) {
	switch spec := src.Spec.(type) {
	case *config.MaildirSpec:
		var out []string
		for _, dir := range []string{spec.Inbox, spec.Sent} {
			if _, err := listMaildir(dir, time.Now().Add(time.Hour), time.Now()); err != nil {
				return nil, fmt.Errorf("source %s: %w", src.Name, err)
			}
			out = append(out, dir)
		}
		return out, nil
	case *config.IMAPSpec:
		c, err := connect(ctx, src.Name, spec, nil)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		folders, err := imapFolders(c, src.Name, spec)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		var out []string
		for _, f := range folders {
			err := c.do(func() error {
				_, err := c.Select(f.name, &imap.SelectOptions{ReadOnly: true}).Wait()
				return err
			})
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				return nil, &Error{Source: src.Name, Msg: fmt.Sprintf("cannot open the folder %q: %v", f.name, err), Hint: "check inbox and sent in the source", Err: err}
			}
			out = append(out, f.name+" ("+f.role.String()+")")
		}
		c.logout()
		return out, nil
	}
	return nil, fmt.Errorf("source %s: type %s cannot be checked", src.Name, src.Type)
}
