package regular

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpen: a regular file opens; a FIFO with no writer, a directory and a
// device are refused at once, each named for what it is, and nothing stays
// open.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	os.WriteFile(file, []byte("s3cret"), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, fi, err := Open(file, os.O_RDONLY, 0)
	if err != nil || fi.Size() != 6 {
		t.Fatalf("Open(a regular file) = %v, %v", fi, err)
	}
	f.Close()
	for path, kind := range map[string]string{fifo: "a FIFO", dir: "a directory", "/dev/zero": "a device"} {
		start := time.Now()
		f, fi, err := Open(path, os.O_RDONLY, 0)
		var not *NotError
		if f != nil || !errors.Is(err, ErrNot) || !errors.As(err, &not) || Kind(fi.Mode()) != kind {
			t.Errorf("Open(%s) = %v, %v, %v; want it refused as %s", path, f, fi, err, kind)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Open(%s) took %v; it must not wait for a writer", path, d)
		}
	}
}
