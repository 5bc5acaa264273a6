package mailbox

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/journal"
)

func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(within); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

// The loop reads each source at start, reads a Maildir as soon as mail
// lands in it (its interval is an hour), says when it learned, takes a
// source a reload adds at once, logs a failing source with its secret cut
// out, and ends with its context.
func TestLoop(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	home, broken := filepath.Join(root, "home"), filepath.Join(root, "broken")
	for _, d := range []string{"INBOX/cur", "INBOX/new", "INBOX/tmp", "Sent/cur", "Sent/new"} {
		os.MkdirAll(filepath.Join(home, d), 0o700)
	}
	parse := func(sources string) *config.Config {
		cfg, err := config.Parse(filepath.Join(root, "config.toml"), []byte(people+sources))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	one := "[sources.home]\ntype = \"maildir\"\npath = \"" + home + "\"\ninterval = \"1h\"\n"
	var cur atomic.Pointer[config.Config]
	cur.Store(parse(one))
	j, err := journal.Open(context.Background(), filepath.Join(root, "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var logs syncbuf.Buffer
	var learned atomic.Int32
	l := &Loop{
		Config:  cur.Load,
		Store:   j,
		Log:     slog.New(slog.NewTextHandler(&logs, nil)),
		Redact:  func(err error) error { return fmtError(strings.ReplaceAll(err.Error(), root, "ROOT")) },
		Learned: func() { learned.Add(1) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { l.Run(ctx); close(ran) }()
	states := func() map[string]journal.SourceState {
		s, _ := j.SourceStates(context.Background())
		return s
	}
	eventually(t, "the first sync", 5*time.Second, func() bool { return !states()["home"].LastOK.IsZero() })
	if learned.Load() != 0 {
		t.Fatalf("learned %d times from an empty Maildir", learned.Load())
	}

	deliver(t, filepath.Join(home, "INBOX"), "new", "1.a", msg("Ana <ana@example.org>", "me@home.example", time.Now().Add(-time.Minute).Format(time.RFC1123Z), "r1@example.org"), time.Now())
	eventually(t, "the reply read at once", 5*time.Second, func() bool { return learned.Load() == 1 })
	if !strings.Contains(logs.String(), `msg="learned from mail" source=home read=1 used=1`) {
		t.Errorf("the log says nothing learned:\n%s", logs.String())
	}

	// A reload adds a source whose folder is not there: read at once, it
	// fails, and its error is logged and recorded with the secret cut.
	cur.Store(parse(one + "[sources.broken]\ntype = \"maildir\"\npath = \"" + broken + "\"\ninterval = \"1h\"\n"))
	l.Reload()
	eventually(t, "the new source read", 5*time.Second, func() bool { return !states()["broken"].FailingSince.IsZero() })
	if e := states()["broken"].LastError; strings.Contains(e, root) || !strings.Contains(e, "ROOT") {
		t.Errorf("the recorded error is not redacted: %q", e)
	}
	eventually(t, "the failure logged", 5*time.Second, func() bool {
		return strings.Contains(logs.String(), `msg="mail source failed; trying again later" source=broken failures_in_a_row=1`)
	})
	if strings.Contains(logs.String(), root) {
		t.Errorf("the log holds what Redact cuts:\n%s", logs.String())
	}

	start := time.Now()
	cancel()
	select {
	case <-ran:
	case <-time.After(2 * time.Second):
		t.Fatal("the loop did not end with its context")
	}
	t.Logf("ended in %s", time.Since(start))
}

type fmtError string

func (e fmtError) Error() string { return string(e) }

// The loop reads a source at start and then every interval, not before;
// ReadNow reads it at once, and the next read is an interval after that;
// a reload reads no source it already knows. In fake time: the interval
// is ten minutes.
func TestLoopReadsEveryIntervalAndWhenAsked(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// A calendar address has no watch: only the loop's clock reads it.
		cfg, err := config.Parse("config.toml", []byte("[sources.cal]\ntype = \"ics\"\nurl = \"https://cal.example.org/private-x/basic.ics\"\nme = [\"me@example.org\"]\ninterval = \"10m\"\n"))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var reads []time.Duration
		start := time.Now()
		l := &Loop{Config: func() *config.Config { return cfg }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		l.read = func(_ context.Context, _ *config.Config, src *config.Source) {
			mu.Lock()
			defer mu.Unlock()
			reads = append(reads, time.Since(start))
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go l.Run(ctx)
		want := func(when string, at ...time.Duration) {
			t.Helper()
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(reads, at) {
				t.Fatalf("%s: read at %v; want %v", when, reads, at)
			}
		}
		want("at start", 0)
		time.Sleep(10*time.Minute - time.Second)
		want("a second before the interval", 0)
		time.Sleep(time.Second)
		want("after the interval", 0, 10*time.Minute)
		time.Sleep(3 * time.Minute)
		l.ReadNow()
		want("when asked", 0, 10*time.Minute, 13*time.Minute)
		time.Sleep(10*time.Minute - time.Second)
		want("a second before an interval after that", 0, 10*time.Minute, 13*time.Minute)
		time.Sleep(time.Second)
		want("an interval after the read asked for", 0, 10*time.Minute, 13*time.Minute, 23*time.Minute)
		l.Reload()
		want("after a reload", 0, 10*time.Minute, 13*time.Minute, 23*time.Minute)
	})
}

// A sync that learned something and also failed (a phone backup folder
// with one file that is not the app's: the others are read all the same)
// says what it learned, and the reminders waiting are checked at once, as
// after a sync that did not fail.
func TestLoopTellsWhatAFailingSyncLearned(t *testing.T) {
	t.Parallel()
	e := newBackupEnv(t)
	mumsCalls(t, filepath.Join(e.dir, "calls-20261201110000.xml"), 1, time.Hour)
	os.WriteFile(filepath.Join(e.dir, "sms-20261201110000.xml"), []byte("<notes/>\n"), 0o600)
	var logs syncbuf.Buffer
	learned := 0
	l := &Loop{
		Config:  func() *config.Config { return e.cfg },
		Store:   e.j,
		Log:     slog.New(slog.NewTextHandler(&logs, nil)),
		Learned: func() { learned++ },
	}
	l.SyncOnce(context.Background(), e.cfg, e.cfg.Sources["phone"])
	if got := e.events(t); len(got) != 1 {
		t.Fatalf("events %v; want Mum's call", got)
	}
	if !strings.Contains(logs.String(), "phone backup failed") {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
	if learned != 1 {
		t.Errorf("Learned called %d times; want once, for Mum's call", learned)
	}
	if !strings.Contains(logs.String(), `msg="learned from the phone's backup" source=phone`) {
		t.Errorf("the log does not say what was learned:\n%s", logs.String())
	}
}
