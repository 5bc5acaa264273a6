package config

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rekindle/rekindle/internal/regular"
)

// Limits on what rekindle reads, checked before parsing: a config of
// millions of nested tables, or a secret file that is /dev/zero or a FIFO,
// must be an error, not a daemon that runs out of memory or hangs.
const (
	// MaxConfigSize is the largest config file: about two million
	// contacts.
	MaxConfigSize = 256 << 20
	// MaxNesting is how deep arrays and inline tables may nest.
	MaxNesting = 32
	// MaxKeyParts is how many dotted parts a key or table name may have.
	// Each is a table to the decoder, at a cost that grows as the square
	// of their number; rekindle's deepest is channels.NAME.headers.KEY.
	MaxKeyParts = 4
	// BytesPerTable and FreeTables bound how many tables a file may open
	// (table headers, each part of a dotted key but the last, inline
	// tables): FreeTables plus one per BytesPerTable bytes. The decoder
	// spends about a kilobyte on each, so a file of nothing but short
	// headers, [a.b.c.d] after [a.b.c.d], took 10 s and 718 MB for 5 MB;
	// a contact list opens one or two per contact of a hundred bytes.
	BytesPerTable = 16
	FreeTables    = 4096
	// MaxSecretSize is the largest secret file.
	MaxSecretSize = 64 << 10
)

// readLimited reads a regular file of at most max bytes. It opens without
// blocking, so a FIFO cannot hang the caller, and refuses anything but a
// regular file before reading a byte (regular.Open).
func readLimited(name string, max int64, what string) ([]byte, error) {
	f, fi, err := regular.Open(name, os.O_RDONLY, 0)
	if errors.Is(err, regular.ErrNot) {
		return nil, fmt.Errorf("%s %s is not a regular file (%s)", what, name, regular.Kind(fi.Mode()))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > max {
		return nil, fmt.Errorf("%s %s is %d bytes; at most %d are read", what, name, fi.Size(), max)
	}
	// One read into a buffer of the size the file has, and one more byte,
	// whose read says EOF: where io.ReadAll would start at 512 bytes and
	// grow (copying and zeroing) a dozen times for a large contact list.
	// A file that grows meanwhile still ends at max+1 bytes.
	b := make([]byte, 0, fi.Size()+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // the file grew since the stat
		}
		n, err := f.Read(b[len(b):min(int64(cap(b)), max+1)])
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return nil, fmt.Errorf("%s %s is more than %d bytes", what, name, max)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}
