package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
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
func readHeader(path string, hr *headerReader) (Header, os.FileInfo, error) {
	if hr == nil {
		hr = newHeaderReader()
	}
	m, fi, err := readFields(path, hr)
	if err != nil {
		return Header{}, fi, err
	}
	h, err := parseHeader(m, hr.addrs)
	h.receivedAt(fi.ModTime()) // the file's time, for a message without a Date
	return h, fi, err
}

// readFields reads the fields hr keeps of the header block of the message
// file at path, and returns with them the file's information when it
// could open it. It opens without blocking and reads only a regular file:
// a FIFO put in place of a message between the listing and the read
// cannot hang a sync.
func readFields(path string, hr *headerReader) (mail.Header, os.FileInfo, error) {
	f, fi, err := regular.Open(path, os.O_RDONLY, 0)
	if errors.Is(err, regular.ErrNot) {
		return nil, fi, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	m, err := hr.read(&io.LimitedReader{R: f, N: maxHeader})
	if err != nil {
		return nil, fi, fmt.Errorf("unreadable header: %w", err)
	}
	return m, fi, nil
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

// folders are the folders of the account, each by its directory: the
// inbox, the sent folder and the phone's (SMS Backup+'s), in that order.
func (m *maildirAccount) folders() []folder {
	var out []folder
	for _, f := range []folder{{m.spec.Inbox, Inbox}, {m.spec.Sent, Sent}} {
		if f.name != "" { // a Maildir of the phone's folders alone (config)
			out = append(out, f)
		}
	}
	for _, dir := range m.spec.Phone {
		out = append(out, folder{dir, Phone})
	}
	return out
}

// Sync reads the inbox, the sent folder, then the phone's folders.
func (m *maildirAccount) Sync(ctx context.Context, s *Sync, res *Result) error {
	for _, f := range m.folders() {
		if err := m.folder(ctx, s, f.name, f.role, res); err != nil {
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
	msgs, err := m.list(folder{dir, role}, since, s.Now)
	if err != nil {
		return err
	}
	newest := scanned
	label := Label(m.src)
	var events []journal.Event
	hr := newHeaderReader()
	if role == Phone {
		hr = newFieldReader(smsBackupFields, smsBackupKeys)
	}
	for _, msg := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var h Header
		var mh mail.Header
		var fi os.FileInfo
		var err error
		if role == Phone {
			mh, fi, err = readFields(msg.path, hr)
		} else {
			h, fi, err = readHeader(msg.path, hr)
		}
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
		if role == Phone {
			events = s.considerSMSBackup(mh, err, label, res, events)
		} else {
			events = s.consider(h, err, role, label, res, events)
		}
	}
	next := maildirCursor{}
	if !newest.IsZero() {
		next.Scanned = newest.UnixMilli()
	}
	return s.commit(ctx, dir, events, next, res)
}

// list lists a folder's messages (listMaildir), and says which setting
// names a folder that is not there.
func (m *maildirAccount) list(f folder, since, now time.Time) ([]maildirMessage, error) {
	msgs, err := listMaildir(f.name, since, now)
	if err != nil && f.role == Phone {
		err = hint.With(err, `set phone to the folders SMS Backup+ keeps texts and calls in, as your mail program syncs them: phone = ["SMS", "Call log"]`)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", m.src.Name, err)
	}
	return msgs, nil
}

// Check finds the inbox, the sent folder and the phone's folders.
func (m *maildirAccount) Check(ctx context.Context) ([]string, error) {
	var out []string
	for _, f := range m.folders() {
		if _, err := m.list(f, time.Now().Add(time.Hour), time.Now()); err != nil {
			return nil, err
		}
		if f.role == Phone {
			out = append(out, f.name+" (phone)")
		} else {
			out = append(out, f.name)
		}
	}
	return out, nil
}

// settle is how long after a file came a Maildir is read: a mail program
// writes and renames in steps.
const settle = time.Second

// Watch watches the new/ and cur/ of the inbox, the sent folder and the
// phone's folders (those there are) and calls arrived settle after a
// message came.
func (m *maildirAccount) Watch(ctx context.Context, arrived func(), failed func(error)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, f := range m.folders() {
		for _, sub := range []string{"new", "cur"} {
			dir := filepath.Join(f.name, sub)
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
