package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/fulldisk"
)

// TestHeldFile: what the state file could not record is kept beside it,
// private, synced, read back whole (a line cut short by a crash left out),
// and cleared; a file that is not a regular one is refused, never read.
func TestHeldFile(t *testing.T) {
	dir := t.TempDir()
	j := open(t, filepath.Join(dir, "r.db"))
	if got, err := j.ReadHeld(); err != nil || got != nil {
		t.Fatalf("ReadHeld with no file = %v, %v; want nothing", got, err)
	}
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	held := []Held{
		{Channel: "phone", IDs: []int64{3, 4}, Sent: at},
		{Channel: "mail", IDs: []int64{9}, Why: "mailbox unknown (permanent)"},
	}
	if err := j.KeepHeld(held); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(j.HeldPath())
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < heldReserve || j.HeldPath() != filepath.Join(dir, "r.db.held") {
		t.Fatalf("%s: %v, %v; want r.db.held, 0600, with the reserve", j.HeldPath(), fi, err)
	}
	got, err := j.ReadHeld()
	if err != nil || len(got) != 2 || !got[0].Sent.Equal(at) || got[0].IDs[1] != 4 || !got[1].Sent.IsZero() || got[1].Why != held[1].Why {
		t.Fatalf("ReadHeld = %+v, %v; want what was kept", got, err)
	}
	// A crash while the second line was written: the first stays.
	b, _ := os.ReadFile(j.HeldPath())
	cut := strings.Index(string(b), "\n") + 10
	for i := cut; i < len(b); i++ {
		b[i] = 0
	}
	os.WriteFile(j.HeldPath(), b, 0o600)
	if got, err := j.ReadHeld(); err != nil || len(got) != 1 || got[0].Channel != "phone" {
		t.Errorf("after a torn write ReadHeld = %+v, %v; want the whole first line only", got, err)
	}
	// Fewer entries than before: nothing of the longer content is left.
	if err := j.KeepHeld(held[1:]); err != nil {
		t.Fatal(err)
	}
	if got, _ := j.ReadHeld(); len(got) != 1 || got[0].Channel != "mail" {
		t.Errorf("ReadHeld = %+v; want only mail's", got)
	}
	if err := j.KeepHeld(nil); err != nil {
		t.Fatal(err)
	}
	if got, err := j.ReadHeld(); err != nil || len(got) != 0 {
		t.Errorf("after clearing, ReadHeld = %+v, %v; want nothing", got, err)
	}
	if fi, _ := os.Stat(j.HeldPath()); fi.Size() < heldReserve {
		t.Errorf("cleared file of %d bytes; want the reserve kept", fi.Size())
	}

	os.Remove(j.HeldPath())
	if err := syscall.Mkfifo(j.HeldPath(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := j.ReadHeld(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadHeld of a FIFO = %v; want it refused", err)
	}
	if err := j.KeepHeld(held); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("KeepHeld to a FIFO = %v; want it refused", err)
	}
}

// TestHeldFileOnAFullDisk: the reserve, made while there was room, takes
// what the state file cannot once the disk is full; without it, nothing
// could be kept.
func TestHeldFileOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	fulldisk.Mount(t, dir)
	j := open(t, filepath.Join(dir, "r.db"))
	other := open(t, filepath.Join(dir, "other.db"))
	if err := j.ReserveHeld(); err != nil {
		t.Fatal(err)
	}
	fulldisk.Fill(t, filepath.Join(dir, "filler"))
	many := make([]int64, 2000)
	for i := range many {
		many[i] = int64(i + 1)
	}
	held := []Held{{Channel: "phone", IDs: many, Sent: time.Now()}}
	if err := j.KeepHeld(held); err != nil {
		t.Fatalf("KeepHeld on a full disk, with the reserve: %v", err)
	}
	if got, err := j.ReadHeld(); err != nil || len(got) != 1 || len(got[0].IDs) != 2000 {
		t.Errorf("ReadHeld = %d entries, %v; want the 2,000 rows", len(got), err)
	}
	if err := other.KeepHeld(held); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("KeepHeld on a full disk without a reserve = %v; want no space (else the test proves nothing)", err)
	}
}
