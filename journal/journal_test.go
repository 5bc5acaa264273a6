package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func open(t testing.TB, path string) *Journal {
	t.Helper()
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func TestAddAndRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state", "rekindle.db")
	j := open(t, path)
	base := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	adds := []Event{
		{Contact: "bob", Kind: Fallout, At: base, Source: "cli", Note: "argued about the move"},
		{Contact: "alice", Kind: Talked, At: base.Add(time.Hour), Source: "cli"},
		{Contact: "bob", Kind: ReachedOut, At: base.Add(48 * time.Hour), Source: "api"},
		{Contact: "bob", Kind: Snooze, At: base.Add(24 * time.Hour), Until: base.Add(96 * time.Hour), Source: "cli"},
	}
	for _, e := range adds {
		if _, err := j.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()

	// Reopen: everything committed is there, in time order per contact.
	j = open(t, path)
	all, err := j.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bob := all["bob"]
	if len(bob) != 3 || len(all["alice"]) != 1 {
		t.Fatalf("events: %+v", all)
	}
	if bob[0].Kind != Fallout || bob[1].Kind != Snooze || bob[2].Kind != ReachedOut {
		t.Errorf("bob's events are not in time order: %v %v %v", bob[0].Kind, bob[1].Kind, bob[2].Kind)
	}
	if !bob[1].Until.Equal(base.Add(96*time.Hour)) || !bob[0].Until.IsZero() {
		t.Errorf("until: %v, %v", bob[1].Until, bob[0].Until)
	}
	if bob[0].Note != "argued about the move" || bob[2].Source != "api" || !bob[0].At.Equal(base) {
		t.Errorf("fields lost: %+v", bob)
	}

	hist, err := j.History(ctx, "bob", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Kind != ReachedOut || hist[1].Kind != Snooze {
		t.Errorf("history is newest first and limited: %+v", hist)
	}
	if hist, _ := j.History(ctx, "", 0); len(hist) != 4 {
		t.Errorf("full history has %d events; want 4", len(hist))
	}
}

func TestAddRejectsBadEvents(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	ctx := context.Background()
	now := time.Now()
	for _, e := range []Event{
		{Contact: "a", Kind: "hugged", At: now, Source: "cli"},
		{Contact: "", Kind: Talked, At: now, Source: "cli"},
		{Contact: "a", Kind: Talked, Source: "cli"},
		{Contact: "a", Kind: Talked, At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Source: "cli"},
		{Contact: "a", Kind: Talked, At: time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), Source: "cli"},
		{Contact: "a", Kind: Talked, At: now.Add(MaxAhead + time.Minute), Source: "cli"},
		{Contact: "a", Kind: Talked, At: now, Source: "cli", Note: strings.Repeat("x", MaxNote+1)},
		{Contact: "a", Kind: Snooze, At: now, Until: now.Add(-time.Hour), Source: "cli"},
		{Contact: "a", Kind: Snooze, At: now, Until: now.Add(MaxSnooze + time.Hour), Source: "cli"},
		{Contact: "a", Kind: Talked, At: now, Until: now.Add(time.Hour), Source: "cli"},
	} {
		if _, err := j.Add(ctx, e); err == nil {
			t.Errorf("Add(%+v) succeeded", e)
		}
	}
	if all, _ := j.Events(ctx); len(all) != 0 {
		t.Errorf("a rejected event was written: %v", all)
	}
}

// TestCheckNamesTheField: the error says which part of the event is wrong,
// and a date too far ahead is told apart (the API answers 422 for it).
func TestCheckNamesTheField(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ok := Event{Contact: "a", Kind: Talked, At: now, Source: "api", Note: strings.Repeat("x", MaxNote)}
	if err := ok.Check(now); err != nil {
		t.Fatalf("a note of exactly %d bytes: %v", MaxNote, err)
	}
	for _, tc := range []struct {
		e      Event
		field  string
		future bool
	}{
		{Event{Contact: "a", Kind: "hugged", At: now, Source: "api"}, "kind", false},
		{Event{Contact: "a", Kind: Talked, At: now.Add(25 * time.Hour), Source: "api"}, "at", true},
		{Event{Contact: "a", Kind: Talked, At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Source: "api"}, "at", false},
		{Event{Contact: "a", Kind: Talked, At: now, Source: "api", Note: strings.Repeat("x", MaxNote+1)}, "note", false},
		{Event{Contact: "a", Kind: Snooze, At: now, Until: now, Source: "api"}, "until", false},
	} {
		var ie *InvalidError
		if err := tc.e.Check(now); !errors.As(err, &ie) || ie.Field != tc.field || ie.Future != tc.future {
			t.Errorf("Check(%+v) = %v; want an InvalidError for %s (future %v)", tc.e, err, tc.field, tc.future)
		}
	}
}

// TestStateFileIsPrivate: the state file and its WAL companions are 0600,
// whatever the umask, and an older 0644 file is tightened on open.
func TestStateFileIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "r.db")
	j := open(t, path)
	if _, err := j.Add(context.Background(), Event{Contact: "a", Kind: Talked, At: time.Now(), Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	j.Close()
	os.Chmod(path, 0o644)
	open(t, path).Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("a 0644 state file stayed %v after open", fi.Mode().Perm())
	}
}

// TestVerifyNoticesReplacement: deleting the state file, or putting another
// in its place, is seen.
func TestVerifyNoticesReplacement(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	j := open(t, path)
	if err := j.Verify(); err != nil {
		t.Fatalf("fresh journal: %v", err)
	}
	os.Remove(path)
	if err := j.Verify(); !errors.Is(err, ErrReplaced) {
		t.Errorf("after delete: %v; want ErrReplaced", err)
	}
	other := open(t, path) // the CLI makes a new one
	defer other.Close()
	if err := j.Verify(); !errors.Is(err, ErrReplaced) {
		t.Errorf("after replace: %v; want ErrReplaced", err)
	}
	if err := other.Verify(); err != nil {
		t.Errorf("the new file: %v", err)
	}
}

func TestSchemaVersionAndWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	open(t, path).Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	var mode string
	db.QueryRow("PRAGMA user_version").Scan(&v)
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if v != len(migrations) || mode != "wal" {
		t.Errorf("user_version %d, journal_mode %q; want %d, wal", v, mode, len(migrations))
	}
	// A state file from a newer rekindle is refused, not damaged.
	db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1))
	if _, err := Open(context.Background(), path); err == nil {
		t.Error("opened a state file with a newer schema")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("STATE_DIRECTORY", "/var/lib/rekindle:/other")
	if p, _ := DefaultPath(); p != "/var/lib/rekindle/rekindle.db" {
		t.Errorf("STATE_DIRECTORY: %s", p)
	}
	t.Setenv("STATE_DIRECTORY", "")
	t.Setenv("XDG_STATE_HOME", "/x")
	if p, _ := DefaultPath(); p != "/x/rekindle/rekindle.db" {
		t.Errorf("XDG_STATE_HOME: %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/me")
	if p, _ := DefaultPath(); p != "/home/me/.local/state/rekindle/rekindle.db" {
		t.Errorf("home: %s", p)
	}
}

const writerEnv = "REKINDLE_JOURNAL_WRITER"

// TestMain doubles as a second process for TestTwoProcessesWriteAtOnce:
// with writerEnv set, the test binary writes events instead of testing.
func TestMain(m *testing.M) {
	if spec := os.Getenv(writerEnv); spec != "" {
		os.Exit(writer(spec))
	}
	os.Exit(m.Run())
}

func writer(spec string) int {
	path, who, _ := cut(spec)
	n, _ := strconv.Atoi(os.Getenv("REKINDLE_JOURNAL_N"))
	j, err := Open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer j.Close()
	for i := 0; i < n; i++ {
		if _, err := j.Add(context.Background(), Event{Contact: who, Kind: Talked, At: time.Now(), Source: "test"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 4
		}
	}
	return 0
}

func cut(s string) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestTwoProcessesWriteAtOnce starts two processes that open a fresh state
// file at the same moment (both migrating it) and write as fast as they can;
// every write of both must land.
func TestTwoProcessesWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for i, who := range []string{"first", "second"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), writerEnv+"="+path+"|"+who, "REKINDLE_JOURNAL_N="+strconv.Itoa(n))
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("writer %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	j := open(t, path)
	all, err := j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all["first"]) != n || len(all["second"]) != n {
		t.Errorf("got %d and %d events; want %d each", len(all["first"]), len(all["second"]), n)
	}
}

// TestOpenReadOnlyWritesNothing: a dry run's journal reads what is there
// and refuses every write; with no state file it reads as empty and creates
// none.
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "r.db")
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := ro.Events(ctx); err != nil || len(ev) != 0 {
		t.Errorf("empty journal: %v, %v", ev, err)
	}
	ro.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a dry run created the state file: %v", err)
	}
	j := open(t, path)
	now := time.Now()
	if _, err := j.Add(ctx, Event{Contact: "a", Kind: Talked, At: now, Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	ro, err = OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ev, _ := ro.Events(ctx); len(ev["a"]) != 1 {
		t.Errorf("read %v; want a's event", ev)
	}
	if _, err := ro.Add(ctx, Event{Contact: "b", Kind: Talked, At: now, Source: "cli"}); err == nil {
		t.Error("a read-only journal took a write")
	}
	if _, err := ro.Enqueue(ctx, Run{Slot: now, Started: now, Finished: now}, nil); err == nil {
		t.Error("a read-only journal recorded a run")
	}
}
