package mailbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/regular"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

func init() {
	register("phonebackup", func(src *config.Source) Source {
		return &phoneBackup{src: src, spec: src.Spec.(*config.PhoneBackupSpec), settle: settle}
	})
}

// phoneBackup is a folder of SMS Backup & Restore files that Syncthing or
// a cloud client keeps in sync from the phone: sms-*.xml and calls-*.xml.
// Each backup writes a new file (or the same name again) with every call
// and text the phone still has, so most of a new file was read before in
// another: the dedup keys (phone.Book.Learn) make that add nothing twice.
type phoneBackup struct {
	src    *config.Source
	spec   *config.PhoneBackupSpec
	settle time.Duration // how long a file must stay unchanged before it is read
}

var _ Source = (*phoneBackup)(nil)

func (p *phoneBackup) Config() *config.Source { return p.src }

// isBackupFile tells the app's files by name.
func isBackupFile(name string) bool {
	return strings.HasSuffix(name, ".xml") && (strings.HasPrefix(name, "sms-") || strings.HasPrefix(name, "calls-"))
}

// files lists the folder's backup files, oldest name first (the app names
// them by the time of the backup).
func (p *phoneBackup) files() ([]string, error) {
	files, _, err := p.scan()
	return files, err
}

// scan lists the folder's backup files, and says what has a backup's name
// but is left out: a symbolic link (which could lead anywhere), a
// directory, a FIFO.
func (p *phoneBackup) scan() (files, leftOut []string, err error) {
	entries, err := os.ReadDir(p.spec.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, hint.With(fmt.Errorf("source %s: %s does not exist", p.src.Name, p.spec.Path),
			"set path to the folder Syncthing (or your cloud client) keeps SMS Backup & Restore's files in")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("source %s: %w", p.src.Name, err)
	}
	for _, e := range entries { // sorted by name
		switch {
		case !isBackupFile(e.Name()):
		case e.Type().IsRegular():
			files = append(files, filepath.Join(p.spec.Path, e.Name()))
		case e.Type()&fs.ModeSymlink != 0:
			leftOut = append(leftOut, e.Name()+" left out: a symbolic link")
		default:
			leftOut = append(leftOut, e.Name()+" left out: "+regular.Kind(e.Type()))
		}
	}
	sort.Strings(files)
	return files, leftOut, nil
}

// checkListed is how many files Check lists by name, at most.
const checkListed = 4

// Sync reads each file from where it was last read. A file that cannot be
// read (refused, or not the app's) does not stop the others: its error is
// returned with theirs at the end.
func (p *phoneBackup) Sync(ctx context.Context, s *Sync, res *Result) error {
	files, err := p.files()
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.file(ctx, s, f, res); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, fmt.Errorf("source %s: %s: %w", p.src.Name, filepath.Base(f), err))
		}
	}
	return errors.Join(errs...)
}

// backupCursor is how far a file was read: the offset after its last
// complete record, and what makes sure it is still the same file there: a
// hash of its first bytes (the app's header, with the count of records,
// which a new backup changes) and of the bytes just before the offset. A
// file rewritten from scratch, or cut shorter, is read from the start,
// and the dedup keys add nothing twice.
type backupCursor struct {
	Offset int64  `json:"offset"`
	Head   string `json:"head"`
	Tail   string `json:"tail"`
}

// fingerprint is how much of the file the hashes of a cursor cover at
// most: before the offset, from the start and back from the offset.
const fingerprint = 4 << 10

// mark makes the cursor of a file read up to off.
func mark(f *os.File, off int64) (backupCursor, error) {
	c := backupCursor{Offset: off}
	n := min(off, fingerprint)
	head, err := hashAt(f, 0, n)
	if err != nil {
		return c, err
	}
	tail, err := hashAt(f, off-n, n)
	c.Head, c.Tail = head, tail
	return c, err
}

func hashAt(f *os.File, off, n int64) (string, error) {
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:12]), nil
}

// resumeAt is where to read a file from: its cursor's offset when the file
// is still the one it was taken of, else the start.
func resumeAt(f *os.File, size int64, c backupCursor) int64 {
	if c.Offset <= 0 || c.Offset > size {
		return 0
	}
	now, err := mark(f, c.Offset)
	if err != nil || now != c {
		return 0
	}
	return c.Offset
}

// chunk is how many events a file's read holds before it writes them with
// its cursor: a file of years holds more calls than memory should.
const chunk = 2000

// file reads one backup file from its cursor to its last complete record.
func (p *phoneBackup) file(ctx context.Context, s *Sync, path string, res *Result) error {
	f, fi, err := regular.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	var cur backupCursor
	if err := s.cursor(ctx, path, &cur); err != nil {
		return err
	}
	start := resumeAt(f, fi.Size(), cur)
	if start == fi.Size() && start > 0 {
		return nil // nothing new
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return err
	}
	label := Label(p.src)
	r := newBackupReader(io.LimitReader(f, fi.Size()-start), start, fi.Size()-start)
	var events []journal.Event
	// save writes the events so far with the cursor at the last
	// complete record.
	save := func() error {
		c, err := mark(f, r.safe)
		if errors.Is(err, io.EOF) {
			// The file is shorter now than what was read of it: it is
			// being written again in place. What was read since the last
			// cursor is read again, from the file as it will be, when
			// the writing is done (the watch sees it).
			return errShrunk
		}
		if err != nil {
			return err
		}
		err = s.commit(ctx, path, events, c, res)
		events = events[:0]
		return err
	}
	_, err = r.read(func(it backupItem, _ int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Read++
		events = s.considerBackup(it, label, res, events)
		if len(events) >= chunk {
			return save()
		}
		return nil
	})
	if errors.Is(err, errShrunk) {
		return nil
	}
	if err != nil && ctx.Err() == nil {
		// What was read before a fault in the file is kept: the next
		// sync starts at the fault, and says so again, until the next
		// backup writes the file anew. A fault found in a file cut
		// shorter is the rewriting's, not the file's.
		if serr := save(); !errors.Is(serr, errShrunk) {
			return errors.Join(err, serr)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if err := save(); !errors.Is(err, errShrunk) {
		return err
	}
	return nil
}

// errShrunk is a file's read that found the file shorter than what was
// read of it.
var errShrunk = errors.New("the file was cut shorter while it was read")

// considerBackup learns from one record of a file: what the app's types
// mean is said here, what a call or text counts as is phone.Book.Learn's.
func (s *Sync) considerBackup(it backupItem, label string, res *Result, events []journal.Event) []journal.Event {
	if it.problem != "" {
		return s.considerCall(phone.Record{}, errors.New(it.problem), label, res, events)
	}
	r := phone.Record{Number: it.number, At: time.UnixMilli(it.millis), Parties: it.parties, Kind: phone.Text}
	var why string
	if it.elem == "call" {
		r.Kind, r.Duration = phone.Call, time.Duration(it.duration)*time.Second
		r.Way, why = phone.CallWay(it.typ)
	} else {
		r.Way, why = phone.TextWay(it.typ)
	}
	if why != "" {
		return s.learn(r.At, nil, Phone, res, events, func() Learned { return Learned{Ignored: why} })
	}
	return s.considerCall(r, nil, label, res, events)
}

// Check finds the folder and its backup files, reading none. What has a
// backup's name but is not read is said, and a folder of many files is
// listed short: the first and the last by name.
func (p *phoneBackup) Check(ctx context.Context) ([]string, error) {
	files, leftOut, err := p.scan()
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, hint.With(fmt.Errorf("source %s: %s has no sms-*.xml or calls-*.xml", p.src.Name, p.spec.Path),
			"in SMS Backup & Restore, back up to the folder Syncthing shares with this machine, then run a backup")
	}
	if n := len(files); n > checkListed {
		files = append(files[:checkListed/2:checkListed/2], append([]string{fmt.Sprintf("%d more", n-checkListed)}, files[n-checkListed/2:]...)...)
	}
	return append(files, leftOut...), nil
}

// Watch calls arrived p.settle after a backup file was written in the
// folder, or renamed into it (as Syncthing puts a file in place). A large
// file still being written is read up to where it is, and again as it
// grows, each read resuming where the last one stopped.
func (p *phoneBackup) Watch(ctx context.Context, arrived func(), failed func(error)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(p.spec.Path); err != nil {
		return fmt.Errorf("watch %s: %w", p.spec.Path, err)
	}
	return watchEvents(ctx, w, p.settle, func(ev fsnotify.Event) bool {
		return isBackupFile(filepath.Base(ev.Name)) && ev.Op.Has(fsnotify.Create|fsnotify.Rename|fsnotify.Write)
	}, arrived, failed)
}
