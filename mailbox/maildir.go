package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/regular"
	"github.com/rekindle/rekindle/journal"
)

// maxHeader is how much of a message is read at most: headers only, and a
// header block larger than this is malformed.
const maxHeader = 256 << 10

// maildirMessage is one file of a Maildir folder.
type maildirMessage struct {
	path    string
	changed time.Time // see changedAt; zero when the listing did not look
}

// changedAt is when a message file came or changed, as far as a sync
// knows: its modification time, unless that is after now (touch -d 2099,
// or a clock that was ahead), then the time its inode last changed, which
// no tool can set and which a touch sets to the moment of the touch. So a
// file dated in the future is read as if it came when it was dated, once,
// and it cannot push the folder's watermark past now (where no later mail
// would be read again).
func changedAt(info os.FileInfo, now time.Time) time.Time {
	if t := info.ModTime(); !t.After(now) {
		return t
	}
	if c := inodeChanged(info); !c.IsZero() && !c.After(now) {
		return c
	}
	return now // future both ways: read on every sync until now passes it
}

// listMaildir lists the messages of a Maildir folder (its cur/ and new/)
// changed at or after since, with now the time of the sync. With since
// zero it lists all and looks at none: the first sync opens every file
// anyway, and the open file says when it changed (one system call a
// message fewer).
func listMaildir(dir string, since, now time.Time) ([]maildirMessage, error) {
	var out []maildirMessage
	found := false
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
				continue
			}
			var changed time.Time
			if !since.IsZero() {
				info, err := e.Info()
				if err != nil {
					continue // gone since the listing: moved to cur/, seen there
				}
				if changed = changedAt(info, now); changed.Before(since) {
					continue
				}
			}
			out = append(out, maildirMessage{path: filepath.Join(dir, sub, e.Name()), changed: changed})
		}
	}
	if !found {
		return nil, hint.With(fmt.Errorf("%s is not a Maildir folder: it has no cur/ or new/", dir),
			"set path, inbox or sent in the source to the right folder")
	}
	return out, nil
}

// readHeader reads the header block of the message file at path, through
// hr (nil: a new one; a folder's messages share one), and returns with it
// the file's information when it could open it.
// It opens without blocking and reads only a regular file: a FIFO put in
// place of a message between the listing and the read cannot hang a sync.
func readHeader(path string, hr *headerReader) (Header, os.FileInfo, error) {
	f, fi, err := regular.Open(path, os.O_RDONLY, 0)
	if errors.Is(err, regular.ErrNot) {
		return Header{}, fi, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	if err != nil {
		return Header{}, nil, err
	}
	defer f.Close()
	if hr == nil {
		hr = newHeaderReader()
	}
	m, err := hr.read(&io.LimitedReader{R: f, N: maxHeader})
	if err != nil {
		return Header{}, fi, fmt.Errorf("unreadable header: %w", err)
	}
	h, err := ParseHeader(m)
	h.receivedAt(fi.ModTime()) // the file's time, for a message without a Date
	return h, fi, err
}

func init() {
	register("maildir", func(src *config.Source) Source { return &maildirAccount{src, src.Spec.(*config.MaildirSpec)} })
}

// maildirAccount is a Maildir on this machine: its inbox and sent folder.
type maildirAccount struct {
	src  *config.Source
	spec *config.MaildirSpec
}

var _ Source = (*maildirAccount)(nil)

func (m *maildirAccount) Config() *config.Source { return m.src }

func (m *maildirAccount) folders() []struct {
	dir  string
	role Role
} {
	return []struct {
		dir  string
		role Role
	}{{m.spec.Inbox, Inbox}, {m.spec.Sent, Sent}}
}

// Sync reads the inbox, then the sent folder.
func (m *maildirAccount) Sync(ctx context.Context, s *Sync, res *Result) error {
	for _, f := range m.folders() {
		if err := m.folder(ctx, s, f.dir, f.role, res); err != nil {
			return err
		}
	}
	return nil
}

// maildirCursor is how far a Maildir folder was read: the change time of
// the newest file read, in Unix ms (0: never read).
type maildirCursor struct {
	Scanned int64 `json:"scanned"`
}

// rescan is how far back of the newest file read a later sync looks again:
// a mail program may deliver a file with an older time.
const rescan = time.Hour

// folder reads one Maildir folder: every message on the first sync (those
// dated within backfill), then the files changed since the newest one read
// (never later than now: see changedAt).
func (m *maildirAccount) folder(ctx context.Context, s *Sync, dir string, role Role, res *Result) error {
	var cur maildirCursor
	if err := s.cursor(ctx, dir, &cur); err != nil {
		return err
	}
	var scanned time.Time
	if cur.Scanned != 0 {
		scanned = time.UnixMilli(cur.Scanned)
	}
	// A watermark after now (left by a rekindle that trusted a file dated
	// 2099) says nothing of how far the folder was read: it is read whole
	// again, and the dedup keys add nothing twice.
	if scanned.After(s.Now) {
		scanned = time.Time{}
	}
	since := time.Time{}
	if !scanned.IsZero() {
		since = scanned.Add(-rescan)
	}
	msgs, err := listMaildir(dir, since, s.Now)
	if err != nil {
		return fmt.Errorf("source %s: %w", m.src.Name, err)
	}
	newest := scanned
	label := Label(m.src)
	var events []journal.Event
	hr := newHeaderReader()
	for _, msg := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, fi, err := readHeader(msg.path, hr)
		if msg.changed.IsZero() { // not looked at by the listing
			switch {
			case fi != nil:
				msg.changed = changedAt(fi, s.Now)
			case errors.Is(err, fs.ErrNotExist):
				continue // gone since the listing: moved to cur/, seen there
			default: // there, and not to be opened
				if info, err := os.Lstat(msg.path); err == nil {
					msg.changed = changedAt(info, s.Now)
				}
			}
		}
		res.Read++
		if msg.changed.After(newest) {
			newest = msg.changed
		}
		events = s.consider(h, err, role, label, res, events)
	}
	next := maildirCursor{}
	if !newest.IsZero() {
		next.Scanned = newest.UnixMilli()
	}
	return s.commit(ctx, dir, events, next, res)
}

// Check finds the inbox and the sent folder.
func (m *maildirAccount) Check(ctx context.Context) ([]string, error) {
	var out []string
	for _, f := range m.folders() {
		if _, err := listMaildir(f.dir, time.Now().Add(time.Hour), time.Now()); err != nil {
			return nil, fmt.Errorf("source %s: %w", m.src.Name, err)
		}
		out = append(out, f.dir)
	}
	return out, nil
}

// settle is how long after a file came a Maildir is read: a mail program
// writes and renames in steps.
const settle = time.Second

// Watch watches the new/ and cur/ of the inbox and the sent folder (those
// there are) and calls arrived settle after a message came.
func (m *maildirAccount) Watch(ctx context.Context, arrived func(), failed func(error)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, f := range m.folders() {
		for _, sub := range []string{"new", "cur"} {
			dir := filepath.Join(f.dir, sub)
			if err := w.Add(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("watch %s: %w", dir, err)
			}
		}
	}
	return watchEvents(ctx, w, settle, func(ev fsnotify.Event) bool { return ev.Op.Has(fsnotify.Create | fsnotify.Rename) }, arrived, failed)
}

// watchEvents calls arrived settle after the first event of w that want
// takes (later ones within settle join it), and failed for each error of
// the watch, until ctx ends.
func watchEvents(ctx context.Context, w *fsnotify.Watcher, settle time.Duration, want func(fsnotify.Event) bool, arrived func(), failed func(error)) error {
	quiet := time.NewTimer(settle)
	quiet.Stop()
	pending := false
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if want(ev) && !pending {
				pending = true
				quiet.Reset(settle)
			}
		case <-quiet.C:
			pending = false
			arrived()
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			failed(err)
		}
	}
}
