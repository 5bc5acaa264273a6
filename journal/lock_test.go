package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestTryLock: a second hold on one state file fails, naming the first
// holder's pid and what it is; once released, the lock can be taken again.
// (flock conflicts between two opens of a file in one process as between
// two processes; the end-to-end tests take it from two processes.)
func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "rekindle.db")
	first, err := TryLock(path, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(LockPath(path))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, %v; want mode 0600", fi, err)
	}
	_, err = TryLock(path, "run --once")
	var held *HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() || held.What != "daemon" {
		t.Fatalf("second lock: %v; want a HeldError naming pid %d, a daemon", err, os.Getpid())
	}
	want := "a rekindle daemon (pid " + strconv.Itoa(os.Getpid()) + ") is already running on the state file " + path
	if err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	first.Release()
	first.Release() // a second release is harmless
	again, err := TryLock(path, "run --once")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	defer again.Release()
	b, _ := os.ReadFile(LockPath(path))
	if got := string(b); got != strconv.Itoa(os.Getpid())+" run --once\n" {
		t.Errorf("lock file holds %q", got)
	}
	if _, err := TryLock(path, "daemon"); err == nil || !strings.Contains(err.Error(), "a rekindle run --once (pid") {
		t.Errorf("lock held by a run --once: %v", err)
	}
}

// TestKeepLock: a lock whose file was removed takes the new file at the
// path, so that the next TryLock fails; one whose file another process
// locked first reports that process.
func TestKeepLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rekindle.db")
	first, err := TryLock(path, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	if again, err := first.Keep(); again || err != nil {
		t.Fatalf("Keep with the lock file in place: %v, %v; want false, nil", again, err)
	}
	os.Remove(LockPath(path))
	if again, err := first.Keep(); !again || err != nil {
		t.Fatalf("Keep after the lock file was removed: %v, %v; want true, nil", again, err)
	}
	if _, err := TryLock(path, "daemon"); err == nil {
		t.Fatal("a second lock was taken after the lock file was removed and kept")
	}
	os.Remove(LockPath(path))
	second, err := TryLock(path, "daemon") // another daemon came first
	if err != nil {
		t.Fatal(err)
	}
	defer second.Release()
	var held *HeldError
	if _, err := first.Keep(); !errors.As(err, &held) {
		t.Errorf("Keep with the new lock file held by another: %v; want a HeldError", err)
	}
}

// TestKeepMakesTheLockFileLocked: a lock file made again is locked before
// anyone can open it. Another process that opens it the moment it appears
// (here a goroutine, opening it over and over) never takes its lock; made
// in place and locked after, it did in some of the rounds.
func TestKeepMakesTheLockFileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rekindle.db")
	l, err := TryLock(path, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	lp := LockPath(path)
	for round := range 300 {
		os.Remove(lp)
		done := make(chan struct{})
		stolen := make(chan bool, 1)
		go func() {
			for {
				select {
				case <-done:
					stolen <- false
					return
				default:
				}
				f, err := os.OpenFile(lp, os.O_RDWR, 0)
				if err != nil {
					continue
				}
				if flock(f) == nil {
					f.Close()
					stolen <- true
					return
				}
				f.Close()
			}
		}()
		again, err := l.Keep()
		close(done)
		if <-stolen {
			t.Fatalf("round %d: another took the lock file as it was made again (Keep: %v, %v)", round, again, err)
		}
		if !again || err != nil {
			t.Fatalf("round %d: Keep = %v, %v; want true, nil", round, again, err)
		}
	}
}

// TestLockNewFileNamesItsHolder: processes that start together on a state
// file with no lock file yet all name the one that won: a new lock file
// holds its holder's line from the moment it is there. (flock's locks
// belong to each opening of the file, so goroutines try as processes do.)
func TestLockNewFileNamesItsHolder(t *testing.T) {
	for round := range 50 {
		path := filepath.Join(t.TempDir(), "rekindle.db")
		var wg sync.WaitGroup
		locks := make([]*Lock, 8)
		errs := make([]error, len(locks))
		for i := range locks {
			wg.Go(func() { locks[i], errs[i] = TryLock(path, "daemon") })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			var h *HeldError
			switch {
			case err == nil:
				won++
				defer locks[i].Release()
			case !errors.As(err, &h):
				t.Fatalf("round %d: %v", round, err)
			case h.PID != os.Getpid() || h.What != "daemon":
				t.Fatalf("round %d: the lock's holder read as pid %d %q; want %d \"daemon\"", round, h.PID, h.What, os.Getpid())
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d took the lock; want 1", round, won)
		}
	}
}
