package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Lock is the hold of one process on a state file: only the holder runs
// the schedule and sends reminders (the daemon, or one run --once), so two
// of them never send the same reminders twice. The other commands share
// the state file freely and take no lock.
//
// It is an advisory lock (flock) on a file beside the state file (its path
// and ".lock") that holds the holder's pid and what it is. The kernel
// drops the lock when the holder's process ends, kill -9 included: a lock
// file left behind never blocks the next start, and its pid says nothing
// unless the lock is held.
type Lock struct {
	mu         sync.Mutex // Keep may be called from two goroutines
	f          *os.File
	path, what string // the state file, and what this process is
}

// HeldError is a lock another process holds.
type HeldError struct {
	Path string // the lock file
	PID  int    // the holder's process; 0 when it could not be read
	What string // what the holder said it is ("daemon"); may be ""
}

func (e *HeldError) Error() string {
	who := "another rekindle process"
	if e.What != "" {
		who = "a rekindle " + e.What
	}
	if e.PID > 0 {
		who += " (pid " + strconv.Itoa(e.PID) + ")"
	}
	return who + " is already running on the state file " + strings.TrimSuffix(e.Path, lockSuffix)
}

const lockSuffix = ".lock"

// LockPath is the lock file of the state file at path.
func LockPath(path string) string { return path + lockSuffix }

// TryLock takes the lock of the state file at path without waiting, and
// writes the pid of this process and what it is (a few words: "daemon")
// in the lock file. When another process holds it, the error is a
// *HeldError naming that process.
func TryLock(path, what string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	lp := LockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		// A new lock file comes with its holder's line in it: made in
		// place, a process that tried a moment later found it locked and
		// empty, and could not say who holds it.
		return remake(path, what)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, held(lp, f)
		}
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	// The holder's pid, for the message of the next one to try: written
	// over the last holder's, then cut to length, so that a reader never
	// finds the file empty.
	line := holder(what)
	if _, err := f.WriteAt(line, 0); err == nil {
		f.Truncate(int64(len(line)))
	}
	return &Lock{f: f, path: path, what: what}, nil
}

// Keep makes sure the lock file at its path is still the one this lock
// holds. The lock is on the file, not on its name: a lock file deleted or
// replaced (a cleaner of stale lock files, a careless rm) would let the
// next process lock a new file and run beside this one. Keep then takes
// the lock of the file now at the path (made again if need be) and
// reports that it did (again true); when another process already holds
// that one, the error is a *HeldError naming it.
func (l *Lock) Keep() (again bool, err error) {
	if l == nil {
		return false, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return false, nil
	}
	lp := LockPath(l.path)
	fi, err := os.Stat(lp)
	if err == nil {
		if mine, err := l.f.Stat(); err == nil && os.SameFile(fi, mine) {
			return false, nil
		}
	}
	var next *Lock
	if errors.Is(err, fs.ErrNotExist) {
		next, err = remake(l.path, l.what)
	} else {
		next, err = TryLock(l.path, l.what)
	}
	if err != nil {
		return false, err
	}
	l.f.Close()
	l.f = next.f
	return true, nil
}

// remake puts a lock file at a path that has none (a first start, or one
// deleted), locked and holding its holder's line before it is there: made
// under another name, locked, written, then linked in. Made in place,
// another process could lock it between its making and its locking, and
// run beside this one. When a file is at the path by then (another made
// it first), its lock is taken as TryLock takes it.
func remake(path, what string) (*Lock, error) {
	lp := LockPath(path)
	f, err := os.CreateTemp(filepath.Dir(lp), filepath.Base(lp)+".new*")
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := flock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	if _, err := f.Write(holder(what)); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	if err := os.Link(f.Name(), lp); err != nil {
		f.Close()
		if errors.Is(err, fs.ErrExist) {
			return TryLock(path, what)
		}
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	return &Lock{f: f, path: path, what: what}, nil
}

// holder is the line a lock file holds: this process's pid and what it
// is, which held reads back for the next one to try.
func holder(what string) []byte { return []byte(strconv.Itoa(os.Getpid()) + " " + what + "\n") }

// flock takes the lock without waiting, again if a signal interrupts it.
func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

// held reads who holds the lock file lp.
func held(lp string, f *os.File) *HeldError {
	e := &HeldError{Path: lp}
	b := make([]byte, 256)
	n, _ := f.ReadAt(b, 0)
	line, _, _ := strings.Cut(string(b[:n]), "\n")
	pid, what, _ := strings.Cut(line, " ")
	if v, err := strconv.Atoi(pid); err == nil && v > 0 {
		e.PID = v
		e.What = what
	}
	return e
}

// Release lets the lock go; it may be called more than once. The lock
// file stays: removing it would let a third process lock a new file while
// a second still waits on the old one.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
