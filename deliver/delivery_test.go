package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// scripted is a channel whose answers a test sets: it fails with the
// queued errors first, then accepts.
type scripted struct {
	name   string
	mu     sync.Mutex
	errs   []error
	block  time.Duration // each send takes this long
	got    []compose.Message
	at     []time.Time
	titles []string
	ids    []string // Message.ID of each attempt
	// before, if set, is called as each send begins.
	before func()
}

func (s *scripted) Name() string { return s.name }
func (s *scripted) Type() string { return "scripted" }
func (s *scripted) Send(ctx context.Context, subject, body string) error {
	return s.Deliver(ctx, compose.Message{Title: subject, Lead: body})
}
func (s *scripted) Deliver(ctx context.Context, m compose.Message) error {
	if s.before != nil {
		s.before()
	}
	if s.block > 0 {
		select {
		case <-time.After(s.block):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, time.Now())
	s.titles = append(s.titles, m.Title)
	s.ids = append(s.ids, m.ID)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return err
	}
	s.got = append(s.got, m)
	return nil
}

func (s *scripted) received() []compose.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]compose.Message(nil), s.got...)
}

func (s *scripted) attempts() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// fixture runs a deliverer over a real journal inside a synctest bubble.
type fixture struct {
	j        *journal.Journal
	d        *Deliverer
	channels map[string]notifier.Channel
	cancel   context.CancelFunc
	stopped  chan struct{}
}

func start(t *testing.T, chans ...*scripted) *fixture {
	t.Helper()
	return startAt(t, filepath.Join(t.TempDir(), "r.db"), nil, chans...)
}

// startAt is start with the state file at path and, if route is set, a
// router.
func startAt(t *testing.T, path string, route Router, chans ...*scripted) *fixture {
	t.Helper()
	j, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	channels := map[string]notifier.Channel{}
	for _, c := range chans {
		channels[c.name] = c
	}
	return startWith(t, j, route, channels)
}

// startWith is startAt over a journal open already, with any channels.
func startWith(t *testing.T, j *journal.Journal, route Router, channels map[string]notifier.Channel) *fixture {
	t.Helper()
	f := &fixture{j: j, channels: channels, stopped: make(chan struct{})}
	var out io.Writer = io.Discard
	if os.Getenv("DELIVERY_LOG") != "" {
		out = t.Output()
	}
	log := slog.New(slog.NewTextHandler(out, nil))
	f.d = &Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return f.channels }, Log: log, Now: time.Now}
	if route != nil {
		f.d.Route = route
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.d.Run(ctx); close(f.stopped) }()
	return f
}

func (f *fixture) stop(t *testing.T) {
	f.cancel()
	<-f.stopped
	f.j.Close()
}

func (f *fixture) enqueue(t *testing.T, contact string, digest bool, channels ...string) {
	t.Helper()
	msg, _ := json.Marshal(compose.Message{Title: "Time to catch up with " + contact, Lead: "hi"})
	var rows []journal.Row
	for _, ch := range channels {
		rows = append(rows, journal.Row{Identity: journal.Identity{Contact: contact, Kind: "check_in"}, Channel: ch, Message: msg, Digest: digest})
	}
	now := time.Now()
	if _, err := f.j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
		t.Fatal(err)
	}
	f.d.Wake()
}

func (f *fixture) states(t *testing.T) map[string]string {
	t.Helper()
	all, _ := f.j.Deliveries(context.Background(), "", 0)
	out := map[string]string{}
	for _, d := range all {
		out[d.Contact+"/"+d.Channel] = d.State
	}
	return out
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		after    time.Duration
		jitter   float64
		want     time.Duration
	}{
		{1, 0, 0.5, 5 * time.Second},
		{2, 0, 0.5, 10 * time.Second},
		{4, 0, 0.5, 40 * time.Second},
		{20, 0, 0.5, 30 * time.Minute},
		{1, 0, 0, 4 * time.Second},
		{1, 0, 1, 6 * time.Second},
		{1, 2 * time.Minute, 0.5, 2 * time.Minute},
	} {
		if got := backoff(tc.attempts, tc.after, tc.jitter); got != tc.want {
			t.Errorf("backoff(%d, %v, %v) = %v; want %v", tc.attempts, tc.after, tc.jitter, got, tc.want)
		}
	}
}

// TestRetryUntilDelivered: a channel that answers 503 three times gets its
// message exactly once, after backoffs of about 5, 10 and 20 seconds.
func TestRetryUntilDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := &notifier.Error{Channel: "phone", Retryable: true, Status: 503, Msg: "server answered 503"}
		phone := &scripted{name: "phone", errs: []error{busy, busy, busy}}
		f := start(t, phone)
		f.enqueue(t, "alice", false, "phone")
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := phone.received(); len(got) != 1 {
			t.Fatalf("delivered %d times; want exactly 1", len(got))
		}
		at := phone.attempts()
		if len(at) != 4 {
			t.Fatalf("%d attempts; want 4", len(at))
		}
		for i, want := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
			gap := at[i+1].Sub(at[i])
			if gap < want*8/10 || gap > want*12/10+100*time.Millisecond {
				t.Errorf("wait before attempt %d: %v; want %v ± 20%%", i+2, gap, want)
			}
		}
		if s := f.states(t)["alice/phone"]; s != journal.Sent {
			t.Errorf("state %s", s)
		}
		if c := f.d.Counts(); c.Sent != 1 || c.Retried != 3 || c.Failed != 0 {
			t.Errorf("counts %+v", c)
		}
		f.stop(t)
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limited := &notifier.Error{Channel: "phone", Retryable: true, Status: 429, RetryAfter: 90 * time.Second, Msg: "429"}
		phone := &scripted{name: "phone", errs: []error{limited}}
		f := start(t, phone)
		f.enqueue(t, "alice", false, "phone")
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		at := phone.attempts()
		if len(at) != 2 || at[1].Sub(at[0]) < 90*time.Second {
			t.Errorf("attempts at %v; want the second at least 90s after the first", at)
		}
		f.stop(t)
	})
}

// TestFailureNoticeOnceOnTheConsole: with a console channel of the
// config's own beside the built-in one, both writing to standard output, a
// channel's failure is reported there once.
func TestFailureNoticeOnceOnTheConsole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bad := &notifier.Error{Channel: "phone", Status: 401, Msg: "server answered 401 Unauthorized", Fix: "the token is wrong"}
		phone := &scripted{name: "phone", errs: []error{bad, bad}}
		var out syncbuf.Buffer
		j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		f := startWith(t, j, nil, map[string]notifier.Channel{
			"phone":   phone,
			"term":    newConsole(t, "term", &out),
			"console": newConsole(t, "console", &out),
		})
		f.enqueue(t, "alice", false, "phone")
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := strings.Count(out.String(), "channel phone is failing"); n != 1 {
			t.Errorf("standard output has the failure notice %d times; want once:\n%s", n, out.String())
		}
		f.stop(t)
	})
}

// TestPermanentFailureIsolated: a channel with a bad token fails for good,
// is reported once through the other channel, and the other channel's own
// reminders go out as usual.
func TestPermanentFailureIsolated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bad := &notifier.Error{Channel: "phone", Status: 401, Msg: "server answered 401 Unauthorized", Fix: "the token is wrong"}
		phone := &scripted{name: "phone", errs: []error{bad, bad, bad}}
		mail := &scripted{name: "mail"}
		f := start(t, phone, mail)
		f.enqueue(t, "alice", false, "phone", "mail")
		f.enqueue(t, "bob", false, "phone", "mail")
		time.Sleep(time.Minute)
		synctest.Wait()
		st := f.states(t)
		if st["alice/phone"] != journal.Failed || st["bob/phone"] != journal.Failed || st["alice/mail"] != journal.Sent || st["bob/mail"] != journal.Sent {
			t.Errorf("states %v", st)
		}
		got := mail.received()
		notices := 0
		for _, m := range got {
			if m.Title == "rekindle: channel phone is failing" {
				notices++
			}
		}
		if len(got) != 3 || notices != 1 {
			t.Errorf("mail received %d messages with %d failure notices; want 2 reminders and 1 notice", len(got), notices)
		}
		if len(phone.attempts()) != 2 {
			t.Errorf("phone tried %d times (%q); a permanent failure is not retried", len(phone.attempts()), phone.titles)
		}
		f.stop(t)
	})
}

func TestDigestIsOneMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		phone := &scripted{name: "phone"}
		f := start(t, phone)
		msg, _ := json.Marshal(compose.Message{Title: "t", Lead: "x"})
		var rows []journal.Row
		for _, who := range []string{"alice", "bob", "carl"} {
			rows = append(rows, journal.Row{Identity: journal.Identity{Contact: who, Kind: "check_in"}, Channel: "phone", Message: msg, Digest: true})
		}
		now := time.Now()
		f.j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now}, rows)
		f.d.Wake()
		time.Sleep(time.Second)
		synctest.Wait()
		got := phone.received()
		if len(got) != 1 || got[0].Title != "3 people to reach out to" {
			t.Errorf("received %d messages (%v); want one digest", len(got), got)
		}
		if c := f.d.Counts(); c.Sent != 3 {
			t.Errorf("counts %+v; the digest covers 3 rows", c)
		}
		f.stop(t)
	})
}

// TestStopLetsASendFinish: a send in flight when the daemon stops may
// finish within the grace period; one that would take longer is cut off and
// its row stays pending for the next start.
func TestStopLetsASendFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &scripted{name: "slow", block: 3 * time.Second}
		f := start(t, slow)
		f.enqueue(t, "alice", false, "slow")
		time.Sleep(time.Second) // the send is under way
		began := time.Now()
		f.stop(t)
		if d := time.Since(began); d < 2*time.Second || d > Grace {
			t.Errorf("stop took %v; want the send's remaining 2s", d)
		}
		if len(slow.received()) != 1 {
			t.Error("the in-flight send did not finish")
		}
	})
	synctest.Test(t, func(t *testing.T) {
		stuck := &scripted{name: "stuck", block: time.Hour}
		f := start(t, stuck)
		f.enqueue(t, "alice", false, "stuck")
		time.Sleep(time.Second)
		began := time.Now()
		f.cancel()
		<-f.stopped
		if d := time.Since(began); d != Grace {
			t.Errorf("stop took %v; want the %v grace", d, Grace)
		}
		all, _ := f.j.Deliveries(context.Background(), "", 0)
		if len(all) != 1 || all[0].State != journal.Pending || all[0].Attempts != 0 {
			t.Errorf("row %+v; want it pending, untouched", all)
		}
		f.j.Close()
	})
}

// TestNoSpinDuringBackoff: while a channel backs off with rows due, the
// deliverer sleeps until the backoff ends instead of polling.
func TestNoSpinDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := &notifier.Error{Channel: "phone", Retryable: true, Status: 503, Msg: "503"}
		phone := &scripted{name: "phone", errs: []error{busy}}
		f := start(t, phone)
		f.enqueue(t, "alice", false, "phone")
		f.enqueue(t, "bob", false, "phone")
		time.Sleep(time.Second)
		synctest.Wait()
		w := f.d.Wakes()
		time.Sleep(3 * time.Second) // inside the ~5 s backoff
		synctest.Wait()
		if n := f.d.Wakes() - w; n > 1 {
			t.Errorf("the deliverer woke %d times in 3 s of backoff; want it asleep", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := phone.received(); len(got) != 2 {
			t.Errorf("delivered %d; want both after the backoff", len(got))
		}
		f.stop(t)
	})
}

// BenchmarkDeliverDue sends 20,000 due reminders through a console channel
// (to nowhere) and records them: what `run --once` does after a run with no
// max_per_run.
func BenchmarkDeliverDue(b *testing.B) {
	msg, _ := json.Marshal(compose.Message{Title: "Time to catch up", Lead: "It has been a while.", Starters: []string{"They're into chess."}, Opener: "Hi!"})
	b.StopTimer()
	for range b.N {
		j, err := journal.Open(context.Background(), filepath.Join(b.TempDir(), "r.db"))
		if err != nil {
			b.Fatal(err)
		}
		rows := make([]journal.Row, 20000)
		for i := range rows {
			rows[i] = journal.Row{Identity: journal.Identity{Contact: fmt.Sprintf("p%d", i), Kind: "check_in"}, Channel: "console", Message: msg}
		}
		now := time.Now()
		if _, err := j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
			b.Fatal(err)
		}
		chans := map[string]notifier.Channel{"console": newConsole(b, "console", io.Discard)}
		d := &Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return chans }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
		b.StartTimer()
		if c := d.DeliverDue(context.Background()); c.Sent != len(rows) {
			b.Fatalf("sent %d", c.Sent)
		}
		b.StopTimer()
		j.Close()
	}
}

// writes records each write to the console, and whether the outbox had
// already recorded anything as sent when it came.
type writes struct {
	j      *journal.Journal
	fail   error
	sizes  []int
	before []bool // no row was sent yet at this write
}

func (w *writes) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	all, _ := w.j.Deliveries(context.Background(), "", 0)
	none := true
	for _, d := range all {
		none = none && d.State != journal.Sent
	}
	w.sizes, w.before = append(w.sizes, len(p)), append(w.before, none)
	return len(p), nil
}

// TestConsoleHoldsARound: the deliverer's console writes a round of many
// reminders in a few writes, each before its batch is recorded as sent;
// when the write fails, the batch is not recorded as sent but tried again.
// (A round of a few writes each message as it goes: TestConsole and the
// README's first example.)
func TestConsoleHoldsARound(t *testing.T) {
	msg, _ := json.Marshal(compose.Message{Title: "Time to catch up", Lead: "It has been a while."})
	setup := func(n int) (*journal.Journal, *writes, *Deliverer) {
		j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		rows := make([]journal.Row, n)
		for i := range rows {
			rows[i] = journal.Row{Identity: journal.Identity{Contact: fmt.Sprintf("p%d", i), Kind: "check_in"}, Channel: "console", Message: msg}
		}
		now := time.Now()
		if _, err := j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
			t.Fatal(err)
		}
		w := &writes{j: j}
		chans := map[string]notifier.Channel{"console": newConsole(t, "console", w)}
		return j, w, &Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return chans }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	}

	_, w, d := setup(300)
	if c := d.DeliverDue(context.Background()); c.Sent != 300 {
		t.Fatalf("sent %d", c.Sent)
	}
	total := 0
	for _, n := range w.sizes {
		total += n
	}
	if len(w.sizes) == 0 || len(w.sizes) > 2 || !w.before[0] || total != 300*len("== Time to catch up\n   It has been a while.\n\n") {
		t.Errorf("writes of %v bytes (before any row was sent: %v); want the 300 reminders in one or two writes, before the batch was recorded", w.sizes, w.before)
	}

	j, w, d := setup(30)
	w.fail = errors.New("no space left on device")
	if c := d.DeliverDue(context.Background()); c.Sent != 0 || c.Retried != 30 {
		t.Errorf("counts %+v; want 30 retried, none sent", c)
	}
	all, _ := j.Deliveries(context.Background(), "", 0)
	for _, r := range all {
		if r.State != journal.Pending || r.Attempts != 1 || !strings.Contains(r.LastError, "no space left on device") {
			t.Errorf("row %s: state %s, attempts %d, error %q; want pending, tried once, with the error", r.Contact, r.State, r.Attempts, r.LastError)
		}
	}
}

// TestOnIdle: the deliverer says it is idle once after each round it
// worked, not while a row waits out a backoff, and not when woken with
// nothing to do.
func TestOnIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := &notifier.Error{Channel: "phone", Retryable: true, Status: 503, Msg: "server answered 503"}
		phone := &scripted{name: "phone"}
		j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		f := &fixture{j: j, channels: map[string]notifier.Channel{"phone": phone}, stopped: make(chan struct{})}
		f.d = &Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return f.channels }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
		var idle atomic.Int32
		f.d.OnIdle = func() { idle.Add(1) }
		ctx, cancel := context.WithCancel(context.Background())
		f.cancel = cancel
		go func() { f.d.Run(ctx); close(f.stopped) }()

		synctest.Wait()
		if n := idle.Load(); n != 0 {
			t.Errorf("idle %d times before any work; want 0", n)
		}
		// Two reminders in one run (two enqueues could make two rounds).
		msg, _ := json.Marshal(compose.Message{Title: "Time to catch up", Lead: "hi"})
		now := time.Now()
		rows := []journal.Row{
			{Identity: journal.Identity{Contact: "alice", Kind: "check_in"}, Channel: "phone", Message: msg},
			{Identity: journal.Identity{Contact: "bob", Kind: "check_in"}, Channel: "phone", Message: msg},
		}
		if _, err := j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
			t.Fatal(err)
		}
		f.d.Wake()
		time.Sleep(time.Second)
		synctest.Wait()
		if n, got := idle.Load(), len(phone.received()); n != 1 || got != 2 {
			t.Errorf("idle %d times after a round of %d; want 1 after 2", n, got)
		}
		f.d.Wake()
		synctest.Wait()
		if n := idle.Load(); n != 1 {
			t.Errorf("idle %d times after a wake with nothing to do; want still 1", n)
		}
		// A failure for now: the row waits out its backoff (about 5 s),
		// and the deliverer is not idle until it has gone out.
		phone.mu.Lock()
		phone.errs = []error{busy}
		phone.mu.Unlock()
		f.enqueue(t, "carol", false, "phone")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := idle.Load(); n != 1 {
			t.Errorf("idle %d times during a backoff; want still 1", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n, got := idle.Load(), len(phone.received()); n != 2 || got != 3 {
			t.Errorf("idle %d times, %d delivered, after the retry; want 2 and 3", n, got)
		}
		f.stop(t)
	})
}

// TestEachSendRecordedBeforeTheNext: a channel that talks to a server
// has its accepted message recorded as sent before the next one goes, so
// a crash at any moment (kill -9) repeats at most the one in flight; with
// sends recorded in batches, a crash repeated the whole batch.
func TestEachSendRecordedBeforeTheNext(t *testing.T) {
	for _, n := range []int{5, 3 * bulkRound} { // a round of a few, and a bulk one
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			msg, _ := json.Marshal(compose.Message{Title: "Time to catch up", Lead: "hi"})
			rows := make([]journal.Row, n)
			for i := range rows {
				rows[i] = journal.Row{Identity: journal.Identity{Contact: fmt.Sprintf("p%d", i), Kind: "check_in"}, Channel: "phone", Message: msg}
			}
			now := time.Now()
			if _, err := j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now, Finished: now}, rows); err != nil {
				t.Fatal(err)
			}
			phone := &scripted{name: "phone"}
			// What a crash now would send again: the messages the server
			// has that the state file does not know were sent.
			worst := 0
			phone.before = func() {
				pending, _ := j.PendingCount(context.Background())
				worst = max(worst, len(phone.received())-(n-pending))
			}
			chans := map[string]notifier.Channel{"phone": phone}
			d := &Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return chans }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
			if c := d.DeliverDue(context.Background()); c.Sent != n {
				t.Fatalf("sent %d of %d", c.Sent, n)
			}
			if worst != 0 {
				t.Errorf("a send began with %d earlier ones accepted but not recorded; a crash then repeats them all (want 0: only the one in flight)", worst)
			}
		})
	}
}

// newConsole is a console channel named name that writes to w, built as
// the config builds one.
func newConsole(t testing.TB, name string, w io.Writer) notifier.Channel {
	t.Helper()
	ch, err := notifier.New(&config.Channel{Name: name, Type: "console", Spec: &config.ConsoleSpec{}}, notifier.Options{Stdout: w})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
