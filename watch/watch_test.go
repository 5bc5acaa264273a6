package watch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// signalled waits for a signal on c, failing after long.
func signalled[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no signal for %s", what)
	}
	var zero T
	return zero
}

// TestConfigSeesEditsAndNewIncludes: a config saved the way editors save
// (a new file renamed over it) is a signal; a new file that an include
// pattern matches is another, and a file beside the config that it does
// not read is none.
func TestConfigSeesEditsAndNewIncludes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte("include = [\"people/*.toml\"]\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "people"), 0o700)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := Config(ctx, quiet, func() *config.Config { return cfg }, nil)

	os.WriteFile(path+".new", []byte("include = [\"people/*.toml\"]\n# edited\n"), 0o600)
	os.Rename(path+".new", path)
	signalled(t, changes, "the config renamed over")
	os.WriteFile(filepath.Join(dir, "people", "a.toml"), []byte("[[contact]]\nname = \"Bea\"\n"), 0o600)
	signalled(t, changes, "a new included file")
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not config"), 0o600)
	select {
	case <-changes:
		t.Error("a signal for a file the config does not read")
	case <-time.After(2 * Debounce):
	}
}

// TestStateSeesTheFileReplacedAndKeepsTheLock: the lock file removed under
// the daemon is made again at once, and the state file deleted is
// reported.
func TestStateSeesTheFileReplacedAndKeepsTheLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "rekindle.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	lock, err := journal.TryLock(path, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	s := &State{Journal: j, Lock: lock, Log: quiet}
	gone := s.Watch(ctx)

	os.Remove(journal.LockPath(path))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(journal.LockPath(path)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock file was not made again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := journal.TryLock(path, "daemon"); err == nil {
		t.Error("a second daemon took the lock made again")
	}

	os.Remove(path)
	if err := signalled(t, gone, "the state file deleted"); !errors.Is(err, journal.ErrReplaced) {
		t.Errorf("got %v; want journal.ErrReplaced", err)
	}
}
