package scheduler

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/deliver"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// wall is the loop's wall clock inside a synctest bubble: fake time plus an
// offset. Moving the offset without letting fake time pass is a suspend:
// the wall clock jumps, timers do not fire.
type fakeWall struct{ offset atomic.Int64 }

func (w *fakeWall) now() time.Time       { return time.Now().Add(time.Duration(w.offset.Load())) }
func (w *fakeWall) set(t time.Time)      { w.offset.Store(int64(time.Until(t))) }
func (w *fakeWall) jump(d time.Duration) { w.offset.Add(int64(d)) }

// loopFixture runs a Loop over a real journal and records each run's slot.
type loopFixture struct {
	j      *journal.Journal
	clock  *fakeWall
	logs   lockedLog
	mu     sync.Mutex
	slots  []time.Time
	ranAt  []time.Time
	cancel context.CancelFunc
	done   chan error
}

func startLoop(t *testing.T, cfgText string, start time.Time, store LoopStore) *loopFixture {
	t.Helper()
	cfg := load(t, cfgText)
	tmpl, _ := compose.NewTemplates(nil)
	f := &loopFixture{clock: &fakeWall{}, done: make(chan error, 1)}
	f.clock.set(start)
	if store == nil {
		f.j = openJournal(t)
		store = f.j
	}
	l := &Loop{
		Store:   &recorder{LoopStore: store, f: f},
		Current: func() Current { return Current{cfg, tmpl} },
		Now:     f.clock.now,
		Log:     slog.New(slog.NewTextHandler(&f.logs, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.done <- l.Run(ctx) }()
	return f
}

// lockedLog collects the loop's log lines.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// count tells how many lines contain substr.
func (l *lockedLog) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), substr)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// recorder notes every run that reaches the journal.
type recorder struct {
	LoopStore
	f *loopFixture
}

func (r *recorder) EnqueueChunks(ctx context.Context, run journal.Run, chunks iter.Seq2[[]journal.Row, error]) (int, error) {
	r.f.mu.Lock()
	r.f.slots = append(r.f.slots, run.Slot)
	r.f.ranAt = append(r.f.ranAt, run.Started)
	r.f.mu.Unlock()
	return r.LoopStore.EnqueueChunks(ctx, run, chunks)
}

func (f *loopFixture) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	if err := <-f.done; err != nil {
		t.Error(err)
	}
}

func (f *loopFixture) runs() (slots, at []time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.slots...), append([]time.Time(nil), f.ranAt...)
}

const loopConfig = "timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\n[[contact]]\nname = \"A\"\nlast_interaction = 2026-11-01\n"

func TestLoopFirstStartRunsAtOnceThenOnSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := startLoop(t, loopConfig, berlin("2026-11-30 15:00"), nil)
		time.Sleep(3 * 24 * time.Hour)
		synctest.Wait()
		slots, _ := f.runs()
		want := []string{"2026-11-30 15:00", "2026-12-01 09:00", "2026-12-02 09:00", "2026-12-03 09:00"}
		if len(slots) != len(want) {
			t.Fatalf("runs at %v; want %v", slots, want)
		}
		for i, w := range want {
			if !slots[i].Equal(berlin(w)) {
				t.Errorf("run %d for slot %v; want %s", i, slots[i], w)
			}
		}
		f.stop(t)
	})
}

// TestLoopCatchUpAfterDowntime: three slots were missed while the daemon
// was down; on start the latest runs once, not three times.
func TestLoopCatchUpAfterDowntime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		last := berlin("2026-11-27 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		f := startLoop(t, loopConfig, berlin("2026-11-30 12:00"), j)
		time.Sleep(time.Hour)
		synctest.Wait()
		slots, at := f.runs()
		if len(slots) != 1 || !slots[0].Equal(berlin("2026-11-30 09:00")) || !at[0].Equal(berlin("2026-11-30 12:00")) {
			t.Fatalf("runs for slots %v at %v; want one, for 2026-11-30 09:00, right at start", slots, at)
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if slots, _ := f.runs(); len(slots) != 2 || !slots[1].Equal(berlin("2026-12-01 09:00")) {
			t.Errorf("then %v; want the next day's slot", slots)
		}
		f.stop(t)
	})
}

// TestLoopSuspend: the machine sleeps from 08:00 to 13:00; Go's timers stop
// meanwhile, so only the loop's wall-clock checks notice. The 09:00 slot
// runs within a minute of resume, once.
func TestLoopSuspend(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		last := berlin("2026-11-29 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		f := startLoop(t, loopConfig, berlin("2026-11-30 07:59"), j)
		time.Sleep(time.Minute) // 08:00
		synctest.Wait()
		f.clock.jump(5 * time.Hour) // suspended until 13:00
		resumed := f.clock.now()
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		slots, at := f.runs()
		if len(slots) != 1 || !slots[0].Equal(berlin("2026-11-30 09:00")) {
			t.Fatalf("runs for %v; want one for the 09:00 slot", slots)
		}
		if d := at[0].Sub(resumed); d < 0 || d > MaxSleep {
			t.Errorf("ran %v after resume; want within %v", d, MaxSleep)
		}
		f.stop(t)
	})
}

// TestLoopDST runs the loop for a week around each DST change in New York
// and Berlin, with a slot inside the changing hour: every day runs once.
func TestLoopDST(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone, spec, from string
	}{
		{"America/New_York", "30 2 * * *", "2026-03-05"}, // spring forward 03-08
		{"America/New_York", "30 1 * * *", "2026-10-29"}, // fall back 11-01
		{"Europe/Berlin", "30 2 * * *", "2026-03-26"},    // spring forward 03-29
		{"Europe/Berlin", "30 2 * * *", "2026-10-22"},    // fall back 10-25
	} {
		t.Run(tc.zone+" "+tc.from, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				loc, _ := time.LoadLocation(tc.zone)
				from, _ := time.ParseInLocation("2006-01-02", tc.from, loc)
				j := openJournal(t)
				j.Enqueue(context.Background(), journal.Run{Slot: from, Started: from, Finished: from}, nil)
				cfg := "timezone = \"" + tc.zone + "\"\nschedule = \"" + tc.spec + "\"\n"
				f := startLoop(t, cfg, from, j)
				time.Sleep(7 * 24 * time.Hour)
				synctest.Wait()
				slots, _ := f.runs()
				days := map[string]int{}
				for _, s := range slots {
					days[s.In(loc).Format("2006-01-02")]++
				}
				if len(slots) != 7 || len(days) != 7 {
					t.Errorf("%d runs over %d days: %v", len(slots), len(days), slots)
				}
				for d, n := range days {
					if n != 1 {
						t.Errorf("%s ran %d times", d, n)
					}
				}
				f.stop(t)
			})
		})
	}
}

// panicky panics in its first run.
type panicky struct {
	LoopStore
	calls atomic.Int32
}

func (p *panicky) Events(ctx context.Context) (map[string][]journal.Event, error) {
	if p.calls.Add(1) == 1 {
		panic("boom")
	}
	return p.LoopStore.Events(ctx)
}

func TestLoopSurvivesAPanic(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		p := &panicky{LoopStore: j}
		f := startLoop(t, loopConfig, berlin("2026-11-30 15:00"), p)
		time.Sleep(25 * time.Hour)
		synctest.Wait()
		slots, _ := f.runs()
		if len(slots) != 1 || !slots[0].Equal(berlin("2026-12-01 09:00")) {
			t.Errorf("runs %v; want the panicking first run skipped and the next slot run", slots)
		}
		f.stop(t)
	})
}

// TestLoopOverAWeek: with max_per_run = 1, quiet hours and remind_again,
// the loop's daily runs hand out reminders one person at a time, the most
// overdue first, each held to the end of the quiet hours and repeated only
// after remind_again.
func TestLoopOverAWeek(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		cfg := `timezone = "Europe/Berlin"
schedule = "0 7 * * *"
quiet_hours = "22:00-08:00"
max_per_run = 1
[defaults]
remind_again = "2d"
[[contact]]
name = "Weekly"
every = "1w"
last_interaction = 2026-11-20
[[contact]]
name = "Monthly"
last_interaction = 2026-10-25
`
		j := openJournal(t)
		last := berlin("2026-11-30 07:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		f := startLoop(t, cfg, berlin("2026-11-30 12:00"), j)
		time.Sleep(6 * 24 * time.Hour)
		synctest.Wait()
		f.stop(t)
		all, _ := j.Deliveries(context.Background(), "", 0)
		var got []string
		for i := len(all) - 1; i >= 0; i-- {
			d := all[i]
			got = append(got, d.Created.In(berlin("2026-01-01").Location()).Format("01-02 15:04")+" "+d.Contact+" "+d.NextTry.In(berlin("2026-01-01").Location()).Format("15:04"))
		}
		// 12-01: weekly (4 days late on 7: 0.57) beats monthly (7 days on 30).
		// 12-02: monthly. 12-03: weekly again (2 days later). 12-04: monthly.
		// The next repeats wait twice as long: 12-07 and 12-08, after the week.
		// Each run at 07:00 is inside the quiet hours: delivery at 08:00.
		want := []string{
			"12-01 07:00 weekly 08:00", "12-02 07:00 monthly 08:00", "12-03 07:00 weekly 08:00",
			"12-04 07:00 monthly 08:00",
		}
		if len(got) != len(want) {
			t.Fatalf("outbox:\n%v\nwant:\n%v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: %s; want %s", i, got[i], want[i])
			}
		}
	})
}

// TestIdleWakesOncePerMinute: an idle daemon (loop and deliverer, nothing
// due, nothing pending) wakes once a minute, for the loop's wall-clock
// check, and the deliverer not at all.
func TestIdleWakesOncePerMinute(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		cfg := load(t, loopConfig)
		tmpl, _ := compose.NewTemplates(nil)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		clock := &fakeWall{}
		clock.set(berlin("2026-11-30 12:00"))
		chans := map[string]notifier.Channel{}
		d := &deliver.Deliverer{Outbox: j, Current: func() map[string]notifier.Channel { return chans }, Log: log, Now: clock.now}
		l := &Loop{Store: j, Current: func() Current { return Current{cfg, tmpl} }, Now: clock.now, Log: log, Ran: func(Result) { d.Wake() }}
		last := berlin("2026-11-30 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { l.Run(ctx) })
		wg.Go(func() { d.Run(ctx) })
		time.Sleep(time.Minute)
		synctest.Wait()
		lw, dw := l.Wakes(), d.Wakes()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := l.Wakes() - lw; n > 60 {
			t.Errorf("the loop woke %d times in an hour; want at most 60", n)
		}
		if n := d.Wakes() - dw; n != 0 {
			t.Errorf("the idle deliverer woke %d times in an hour; want 0", n)
		}
		cancel()
		wg.Wait()
	})
}

// TestLoopStopsWhenCheckFails: the loop checks its store each time it
// wakes, and stops with the check's error, within a minute of it failing.
func TestLoopStopsWhenCheckFails(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		cfg := load(t, loopConfig)
		tmpl, _ := compose.NewTemplates(nil)
		clock := &fakeWall{}
		clock.set(berlin("2026-11-30 12:00"))
		last := berlin("2026-11-30 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		gone := errors.New("the state file was deleted")
		var broken atomic.Bool
		l := &Loop{Store: j, Current: func() Current { return Current{cfg, tmpl} }, Now: clock.now,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Check: func() error {
				if broken.Load() {
					return gone
				}
				return nil
			}}
		done := make(chan error, 1)
		go func() { done <- l.Run(context.Background()) }()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the loop stopped with a sound store: %v", err)
		default:
		}
		broken.Store(true)
		began := time.Now()
		if err := <-done; !errors.Is(err, gone) || time.Since(began) > MaxSleep {
			t.Errorf("Run = %v after %v; want the check's error within %v", err, time.Since(began), MaxSleep)
		}
	})
}

// aheadLine is the start of the loop's log line about a last run dated
// after now.
const aheadLine = "the last run on record is dated after now"

// wantSlots fails unless the runs were for exactly these slots (Berlin
// wall times), in order.
func wantSlots(t *testing.T, f *loopFixture, want ...string) {
	t.Helper()
	slots, _ := f.runs()
	ok := len(slots) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = slots[i].Equal(berlin(want[i]))
	}
	if !ok {
		var got []string
		for _, s := range slots {
			got = append(got, s.In(berlin(want[0]).Location()).Format("2006-01-02 15:04"))
		}
		t.Fatalf("runs for slots %v; want %v", got, want)
	}
}

// TestLoopLastRunAhead: the only run on record was made with the clock 30
// days ahead, and the clock is right now. An every-minute schedule runs at
// the next minute, and every minute after, and the loop says so once, not
// at each of its wakes.
func TestLoopLastRunAhead(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		ahead := berlin("2026-12-30 12:00")
		j.Enqueue(context.Background(), journal.Run{Slot: ahead, Started: ahead, Finished: ahead}, nil)
		cfg := "timezone = \"Europe/Berlin\"\nschedule = \"* * * * *\"\n"
		f := startLoop(t, cfg, berlin("2026-11-30 12:00").Add(30*time.Second), j)
		defer f.stop(t)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		wantSlots(t, f, "2026-11-30 12:01", "2026-11-30 12:02", "2026-11-30 12:03", "2026-11-30 12:04", "2026-11-30 12:05")
		if n := f.logs.count(aheadLine); n != 1 {
			t.Errorf("%d log lines about the run dated ahead; want 1:\n%s", n, f.logs.String())
		}
		for _, want := range []string{"last_run=2026-12-30T12:00:00+01:00", "now=2026-11-30T12:00:30+01:00", "next_slot=2026-11-30T12:01:00+01:00", "the clock was probably ahead"} {
			if !strings.Contains(f.logs.String(), want) {
				t.Errorf("the log does not say %s:\n%s", want, f.logs.String())
			}
		}
	})
}

// TestLoopCatchUpPastARunAhead: a run made with the clock 30 days ahead
// does not hide the slots missed since the last run made with the right
// clock: at start the latest missed slot runs once, at once, as after any
// downtime.
func TestLoopCatchUpPastARunAhead(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		for _, s := range []string{"2026-11-27 09:00", "2026-12-30 09:00"} {
			at := berlin(s)
			j.Enqueue(context.Background(), journal.Run{Slot: at, Started: at, Finished: at}, nil)
		}
		f := startLoop(t, loopConfig, berlin("2026-11-30 12:00"), j)
		defer f.stop(t)
		time.Sleep(time.Minute)
		synctest.Wait()
		wantSlots(t, f, "2026-11-30 09:00")
		if _, at := f.runs(); !at[0].Equal(berlin("2026-11-30 12:00")) {
			t.Errorf("the missed slot ran at %v; want at start", at[0])
		}
		time.Sleep(2 * 24 * time.Hour)
		synctest.Wait()
		wantSlots(t, f, "2026-11-30 09:00", "2026-12-01 09:00", "2026-12-02 09:00")
		if n := f.logs.count(aheadLine); n != 1 {
			t.Errorf("%d log lines about the run dated ahead; want 1", n)
		}
	})
}

// TestLoopClockSetBackWhileRunning: the daemon runs while the clock jumps
// 30 days ahead (it runs the slot it then thinks it missed) and is set
// back an hour later. The loop notices at its next wake and keeps the
// real schedule: the 09:00 slot that day and each day after, with one log
// line.
func TestLoopClockSetBackWhileRunning(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		last := berlin("2026-11-29 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		f := startLoop(t, loopConfig, berlin("2026-11-30 07:00"), j)
		defer f.stop(t)
		time.Sleep(time.Minute)
		synctest.Wait()
		f.clock.jump(30 * 24 * time.Hour)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		wantSlots(t, f, "2026-12-29 09:00")
		f.clock.jump(-30 * 24 * time.Hour) // 07:03 on 11-30 again
		time.Sleep(3 * 24 * time.Hour)
		synctest.Wait()
		wantSlots(t, f, "2026-12-29 09:00", "2026-11-30 09:00", "2026-12-01 09:00", "2026-12-02 09:00")
		if _, at := f.runs(); !at[1].Equal(berlin("2026-11-30 09:00")) {
			t.Errorf("the first slot after the clock was set back ran at %v; want on time", at[1])
		}
		if n := f.logs.count(aheadLine); n != 1 {
			t.Errorf("%d log lines about the run dated ahead over three days of wakes; want 1:\n%s", n, f.logs.String())
		}
	})
}

// TestLoopSmallStepBack: a time sync sets the clock back a few seconds
// right after a slot ran. That is no clock ahead: the slot does not run
// twice and nothing is said about it.
func TestLoopSmallStepBack(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		last := berlin("2026-11-29 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		f := startLoop(t, loopConfig, berlin("2026-11-30 08:59"), j)
		defer f.stop(t)
		time.Sleep(time.Minute)
		synctest.Wait()
		wantSlots(t, f, "2026-11-30 09:00")
		f.clock.jump(-3 * time.Second)
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		wantSlots(t, f, "2026-11-30 09:00")
		if n := f.logs.count(aheadLine); n != 0 {
			t.Errorf("a step back of 3 s was logged as a clock ahead:\n%s", f.logs.String())
		}
	})
}

// locked is a state file another process holds locked for its first
// fails runs.
type locked struct {
	LoopStore
	fails atomic.Int32
}

func (l *locked) EnqueueChunks(ctx context.Context, run journal.Run, chunks iter.Seq2[[]journal.Row, error]) (int, error) {
	if l.fails.Add(-1) >= 0 {
		return 0, errors.New("record run: database is locked (5) (SQLITE_BUSY)")
	}
	return l.LoopStore.EnqueueChunks(ctx, run, chunks)
}

// TestLoopRetriesAFailedRun: a scheduled run that fails (the state file
// locked) is tried again after 1, 2, 4 minutes, not a day later, and the
// slot it stands for is the one recorded; the next slot comes as usual.
func TestLoopRetriesAFailedRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := openJournal(t)
		last := berlin("2026-11-29 09:00")
		j.Enqueue(context.Background(), journal.Run{Slot: last, Started: last, Finished: last}, nil)
		store := &locked{LoopStore: j}
		store.fails.Store(3)
		f := startLoop(t, loopConfig, berlin("2026-11-30 08:59"), store)
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		_, at := f.runs()
		want := []string{"2026-11-30 09:00", "2026-11-30 09:01", "2026-11-30 09:03", "2026-11-30 09:07"}
		if len(at) != len(want) {
			t.Errorf("tries at %v; want %v", at, want)
		}
		for i, w := range want {
			if i < len(at) && at[i].Sub(berlin(w)).Abs() > time.Second {
				t.Errorf("try %d at %v; want %s", i+1, at[i], w)
			}
		}
		if n := f.logs.count("run failed; trying again"); n != 3 {
			t.Errorf("%d log lines about the failed run; want 3:\n%s", n, f.logs.String())
		}
		if got, _ := j.LastSlot(context.Background()); !got.Equal(berlin("2026-11-30 09:00")) {
			t.Errorf("last slot recorded %v; want the 09:00 slot that failed first", got)
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if slots, _ := f.runs(); len(slots) != 5 || !slots[4].Equal(berlin("2026-12-01 09:00")) {
			t.Errorf("runs for %v; want the next day's slot after the retries", slots)
		}
		f.stop(t)
	})
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 8 * time.Minute, 5: 15 * time.Minute, 50: 15 * time.Minute} {
		if got := retryWait(n); got != want {
			t.Errorf("retryWait(%d) = %v; want %v", n, got, want)
		}
	}
}

// The watchdog is fed every interval while the loop shows signs of life,
// and not once it has shown none for two MaxSleeps: then it says so.
func TestWatchdogFedOnlyWhileAlive(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		l := &Loop{Log: slog.New(slog.NewTextHandler(&logs, nil))}
		l.alive.Store(time.Now().UnixNano())
		var fed atomic.Int32
		ctx, cancel := context.WithCancel(t.Context())
		go l.Watchdog(ctx, 10*time.Second, func() { fed.Add(1) })
		time.Sleep(2*MaxSleep - time.Second)
		synctest.Wait()
		if n := fed.Load(); n != 11 {
			t.Errorf("fed %d times in the first 119 s; want 11, one each 10 s", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := fed.Load(); n != 11 || !strings.Contains(logs.String(), "the schedule loop seems stuck") {
			t.Errorf("fed %d times (want still 11) and logged %q once the loop showed no life for 2 min", n, logs.String())
		}
		cancel()
		synctest.Wait()
	})
}
