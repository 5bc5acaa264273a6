package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rekindle/rekindle/internal/regular"
)

// What a channel accepted but the state file could not record (a full
// disk, a lock held too long) is kept in a small file beside it, the state
// file's name with ".held" (rekindle.db.held), so that neither a stop nor a
// crash forgets it: the next deliverer records it before it sends anything,
// and never sends those rows again.
//
// The file keeps a reserve of heldReserve bytes, written when it is made:
// later writes overwrite it in place, so on a disk that has filled up since,
// they need no new block and still succeed. (A filesystem that copies on
// write, such as btrfs or ZFS, needs new blocks all the same.)

// Held is an outcome of deliveries the state file could not record when it
// happened.
type Held struct {
	Channel string    `json:"channel"`
	IDs     []int64   `json:"ids"`
	Sent    time.Time `json:"sent,omitzero"` // when the channel accepted them; zero: failed for good
	Why     string    `json:"why,omitempty"` // why they failed
}

// heldReserve is the room the file keeps: a line is about 60 bytes and 8
// per row, so a few thousand rows.
const heldReserve = 64 << 10

// heldMax bounds what ReadHeld reads.
const heldMax = 64 << 20

// HeldPath is the file beside the state file that keeps what it could not
// record.
func (j *Journal) HeldPath() string { return j.path + ".held" }

// ReadHeld returns what is kept beside the state file; nothing if there is
// no such file. A line cut short by a crash while it was written is left
// out: its rows are sent again, as any send the crash kept from being
// recorded.
func (j *Journal) ReadHeld() ([]Held, error) {
	f, _, err := regular.Open(j.HeldPath(), os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if errors.Is(err, regular.ErrNot) {
		return nil, fmt.Errorf("read %s: not a regular file; move it away", j.HeldPath())
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", j.HeldPath(), err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, heldMax))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", j.HeldPath(), err)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i] // the unused reserve
	}
	var out []Held
	for line := range bytes.Lines(b) {
		var h Held
		if json.Unmarshal(line, &h) == nil && len(h.IDs) > 0 {
			out = append(out, h)
		}
	}
	return out, nil
}

// KeepHeld replaces what is kept beside the state file with held (none
// clears it), written in place over the reserve and synced to disk before
// it returns. The file is made, private to its owner, if there is none.
func (j *Journal) KeepHeld(held []Held) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, h := range held {
		if err := enc.Encode(h); err != nil {
			return fmt.Errorf("keep unrecorded deliveries: %w", err)
		}
	}
	return j.writeHeld(buf.Bytes())
}

// ReserveHeld makes the file beside the state file, with its reserve, if
// it is missing or short, so that a disk that fills up later still takes
// what KeepHeld writes.
func (j *Journal) ReserveHeld() error {
	if fi, err := os.Stat(j.HeldPath()); err == nil && fi.Size() >= heldReserve {
		return nil
	}
	held, err := j.ReadHeld()
	if err != nil {
		return err
	}
	return j.KeepHeld(held)
}

// writeHeld writes content at the start of the file, zeros after it up to
// the reserve or the file's end (what an earlier, longer content left).
func (j *Journal) writeHeld(content []byte) error {
	path := j.HeldPath()
	_, statErr := os.Stat(path)
	f, fi, err := regular.Open(path, os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, regular.ErrNot) {
		return fmt.Errorf("keep unrecorded deliveries in %s: not a regular file; move it away", path)
	}
	if err != nil {
		return fmt.Errorf("keep unrecorded deliveries in %s: %w", path, err)
	}
	defer f.Close()
	size := max(int64(heldReserve), int64(len(content)), fi.Size())
	buf := make([]byte, size)
	copy(buf, content)
	if _, err := f.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("keep unrecorded deliveries in %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("keep unrecorded deliveries in %s: %w", path, err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// A new file's name is on disk once its directory is.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return nil
}
