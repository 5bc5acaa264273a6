package watch

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"

	"github.com/fsnotify/fsnotify"

	"github.com/rekindle/rekindle/journal"
)

// State keeps watch over the daemon's state file and its lock file. A
// daemon whose state file was deleted or replaced would go on writing to a
// file nobody else sees while the command line creates a new one; one
// whose lock file was removed would let a second daemon start beside it.
type State struct {
	Journal *journal.Journal
	// Lock is the daemon's hold on the state file, kept when its file is
	// removed; nil where none is taken (in tests).
	Lock *journal.Lock
	Log  *slog.Logger
}

// Check says whether the state file is still the one the daemon opened,
// and makes the lock file again if it was removed or replaced; its error
// is the file replaced, or another process that holds the new lock. The
// schedule loop calls it each time it wakes, in case the watch missed it.
func (s *State) Check() error {
	if err := s.Journal.Verify(); err != nil {
		return err
	}
	return s.keepLock()
}

// Watch reports, once, Check's error after a change in the state file's
// directory: a prompt notice, where the schedule loop's check comes
// within a minute. When no watch can be set up, the channel stays silent
// and the loop's check remains.
func (s *State) Watch(ctx context.Context) <-chan error {
	out := make(chan error, 1)
	state, _ := filepath.Abs(s.Journal.Path())
	lockFile := journal.LockPath(state)
	events, err := files(ctx, s.Log, func() []string { return []string{filepath.Dir(state)} }, func(name string) bool { return name == state || name == lockFile },
		func(op fsnotify.Op) bool { return op.Has(fsnotify.Remove | fsnotify.Rename | fsnotify.Create) }, nil)
	if err != nil {
		return out
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
				// The lock file removed or replaced is made again at once,
				// so that a second daemon started now finds it held.
				if err := s.Check(); err != nil {
					out <- err
					return
				}
			}
		}
	}()
	return out
}

// Gone logs why the daemon stops when Check failed: its state file was
// deleted or replaced, or another process took it.
func (s *State) Gone(err error) {
	if held := (*journal.HeldError)(nil); errors.As(err, &held) {
		s.Log.Error("stopping: another process took the state file after this daemon's lock file was removed; one daemon runs on a state file",
			"state", s.Journal.Path(), "err", err)
		return
	}
	s.Log.Error("stopping: the state file is not the one this daemon opened; restart rekindle to use the file now at that path",
		"state", s.Journal.Path(), "err", err)
}

// keepLock makes the lock file again when it was removed or replaced, and
// says so; its error is another process that holds the new one.
func (s *State) keepLock() error {
	again, err := s.Lock.Keep()
	if again {
		s.Log.Warn("the lock file of the state file was removed or replaced; made it again, so that no second daemon starts on this state file",
			"lock", journal.LockPath(s.Journal.Path()))
	}
	return err
}
