package mailbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// maxHeader is how much of a message is read at most: headers only, and a
// header block larger than this is malformed.
const maxHeader = 256 << 10

// maildirMessage is one file of a Maildir folder.
type maildirMessage struct {
	path    string
	changed time.Time // see changedAt
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
// changed at or after since (zero: all), with now the time of the sync.
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
			info, err := e.Info()
			if err != nil {
				continue // gone since the listing: moved to cur/, seen there
			}
			changed := changedAt(info, now)
			if !since.IsZero() && changed.Before(since) {
				continue
			}
			out = append(out, maildirMessage{path: filepath.Join(dir, sub, e.Name()), changed: changed})
		}
	}
	if !found {
		return nil, fmt.Errorf("%s is not a Maildir folder (it has no cur/ or new/); set path, inbox or sent in the source to the right folder", dir)
	}
	return out, nil
}

// readHeader reads the header block of the message file at path.
// It opens without blocking and reads only a regular file: a FIFO put in
// place of a message between the listing and the read cannot hang a sync.
func readHeader(path string) (Header, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return Header{}, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, maxHeader)))
	if err != nil {
		return Header{}, fmt.Errorf("unreadable header: %w", err)
	}
	h, err := ParseHeader(m.Header)
	if info, serr := f.Stat(); serr == nil {
		h.receivedAt(info.ModTime()) // the file's time, for a message without a Date
	}
	return h, err
}
