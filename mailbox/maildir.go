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
	"time"
)

// maxHeader is how much of a message is read at most: headers only, and a
// header block larger than this is malformed.
const maxHeader = 256 << 10

// maildirMessage is one file of a Maildir folder.
type maildirMessage struct {
	path    string
	modTime time.Time
}

// listMaildir lists the messages of a Maildir folder (its cur/ and new/)
// changed at or after since (zero: all).
func listMaildir(dir string, since time.Time) ([]maildirMessage, error) {
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
			if !since.IsZero() && info.ModTime().Before(since) {
				continue
			}
			out = append(out, maildirMessage{path: filepath.Join(dir, sub, e.Name()), modTime: info.ModTime()})
		}
	}
	if !found {
		return nil, fmt.Errorf("%s is not a Maildir folder (it has no cur/ or new/); set path, inbox or sent in the source to the right folder", dir)
	}
	return out, nil
}

// readHeader reads the header block of the message file at path.
func readHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
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
