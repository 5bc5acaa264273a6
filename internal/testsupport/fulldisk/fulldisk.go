// Package fulldisk gives a test a small filesystem of its own that it can
// fill up: where a full disk is the case under test (the state file that
// cannot record a send, the file of held records beside it).
package fulldisk

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rekindle/rekindle/internal/testsupport/needs"
)

// Mount mounts a 400 KB tmpfs on dir, an existing directory, until the
// test ends. Mounting needs root: without it the test is skipped (failed
// under CI, which runs as root).
func Mount(t testing.TB, dir string) {
	t.Helper()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=400k,mode=0700"); err != nil {
		needs.Missing(t, "mounting a small tmpfs needs root (CI runs as root): "+err.Error())
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
}

// Fill writes to a new file at path until its filesystem is full; removing
// the file makes room again.
func Fill(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}
