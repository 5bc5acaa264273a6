package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// MaxSleep bounds every wait of the loop: Go timers stop while the machine
// sleeps, so the loop re-reads the wall clock at least this often and runs
// a slot that fell inside a suspend within a minute of resume.
const MaxSleep = time.Minute

// slack is how far after now the last run may be dated before the loop
// takes the clock to have been ahead: a clock set back by seconds (a time
// sync) only delays the next slot a little, and that slot, which ran, must
// not run twice.
const slack = time.Minute

// Ahead tells whether a run dated last was made with a clock ahead of now
// (by more than a time sync's step).
func Ahead(last, now time.Time) bool { return last.After(now.Add(slack)) }

// retryFirst and retryCap bound the wait before a failed run is tried
// again: 1 minute, doubling, at most 15 (a state file locked or full for a
// while should not cost a day's slot).
const (
	retryFirst = time.Minute
	retryCap   = 15 * time.Minute
)

// retryWait is the wait after n failed runs in a row.
func retryWait(n int) time.Duration {
	d := retryFirst
	for i := 1; i < n && d < retryCap; i++ {
		d *= 2
	}
	return min(d, retryCap)
}

// LoopStore is what the loop needs of the journal.
type LoopStore interface {
	Store
	LastSlot(ctx context.Context) (time.Time, error)
	LastSlotAt(ctx context.Context, t time.Time) (time.Time, error)
}

var _ LoopStore = (*journal.Journal)(nil)

// Current is the config a run uses; a reload swaps it.
type Current struct {
	Config    *config.Config
	Templates *compose.Templates
}

// Loop runs the schedule: each slot once, a slot missed while the daemon
// was down or the machine asleep once (never once per missed slot), and a
// run that panics logged and survived. A last run dated after now (the
// clock was ahead when it ran, and has been set right since) does not
// hold the schedule until that date: the loop notices it at start and on
// every wake, says so once, and goes on from the last run dated before
// now.
type Loop struct {
	Store   LoopStore
	Current func() Current
	Now     func() time.Time
	Log     *slog.Logger
	// Ran is called after each run, with its result (the daemon wakes the
	// deliverer).
	Ran func(Result)
	// Check, if set, is called each time the loop wakes; an error stops
	// the loop with it (the daemon checks that its state file is still in
	// place, at no cost of a wake-up of its own).
	Check func() error

	kick     chan struct{}
	kickOnce sync.Once
	wakes    atomic.Int64
	alive    atomic.Int64 // Unix ns of the loop's latest sign of life
}

// Alive says when the loop last woke or started: a loop that has not done
// either for much longer than MaxSleep is stuck (the systemd watchdog).
func (l *Loop) Alive() time.Time { return time.Unix(0, l.alive.Load()) }

// Watchdog calls feed every interval while the loop shows signs of life
// (it wakes at least once a MaxSleep, and a run takes well under one),
// and logs instead when it does not, until ctx ends: systemd's watchdog
// then restarts a daemon whose loop is stuck.
func (l *Loop) Watchdog(ctx context.Context, every time.Duration, feed func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if time.Since(l.Alive()) < 2*MaxSleep {
				feed()
			} else {
				l.Log.Error("the schedule loop seems stuck; not feeding the watchdog", "last_sign_of_life", l.Alive())
			}
		}
	}
}

// Wakes counts how often the loop woke from a wait (a timer, or a kick).
func (l *Loop) Wakes() int64 { return l.wakes.Load() }

// Kick makes the loop recompute its next slot, after a reload.
func (l *Loop) Kick() {
	select {
	case l.kicks() <- struct{}{}:
	default:
	}
}

// kicks makes the kick channel on first use: Kick (a reload) may come
// before Run has started.
func (l *Loop) kicks() chan struct{} {
	l.kickOnce.Do(func() { l.kick = make(chan struct{}, 1) })
	return l.kick
}

// Run loops until ctx is done. On the very first start (no run on record)
// it runs at once, so a new user sees who is due without waiting for the
// schedule.
func (l *Loop) Run(ctx context.Context) error {
	kick := l.kicks()
	l.alive.Store(time.Now().UnixNano())
	last, err := l.Store.LastSlot(ctx)
	if err != nil {
		return err
	}
	var ahead time.Time // the last run found dated after now, once said
	// A run that failed (the state file locked, full) is tried again
	// within minutes, not at the next slot: failed counts those in a row,
	// and retry is when the next try may be.
	var failed int
	var retry time.Time
	for {
		cur := l.Current()
		now := l.Now()
		if Ahead(last, now) {
			if last, err = l.resume(ctx, cur, last, now, &ahead); err != nil {
				return err
			}
		}
		next := now
		if !last.IsZero() {
			next = NextSlot(cur.Config.Schedule, last, cur.Config.Location)
		}
		if retry.Sub(now) > retryCap {
			retry = now // the wall clock was set back since the failure
		}
		if !next.IsZero() && !now.Before(next) && !now.Before(retry) {
			slot := latestSlot(cur.Config.Schedule, next, now, cur.Config.Location).In(cur.Config.Location)
			if !last.IsZero() && next.Before(now.Add(-MaxSleep)) && failed == 0 {
				l.Log.Info("catching up on a missed slot", "slot", slot.Format(time.RFC3339), "first_missed", next.Format(time.RFC3339))
			}
			if err := l.run(ctx, cur, slot, now); err != nil {
				if ctx.Err() != nil {
					return nil // stopped mid-run: nothing was written
				}
				failed++
				wait := retryWait(failed)
				retry = l.Now().Add(wait)
				l.Log.Error("run failed; trying again", "slot", slot.Format(time.RFC3339), "err", err,
					"failures_in_a_row", failed, "retry_in", wait)
				continue
			}
			failed, retry = 0, time.Time{}
			last = slot
			continue
		}
		wait := MaxSleep
		if !next.IsZero() {
			due := next
			if retry.After(due) {
				due = retry
			}
			wait = min(wait, due.Sub(now))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-kick:
		case <-timer.C:
		}
		l.wakes.Add(1)
		l.alive.Store(time.Now().UnixNano())
		timer.Stop()
		if l.Check != nil {
			if err := l.Check(); err != nil {
				return err
			}
		}
	}
}

// resume is the loop's answer to a last run dated after now: the clock was
// ahead when it ran, or has been set back since. Waiting for the slot after
// that date would leave the schedule silent for as long as the clock was
// ahead. It returns where the schedule goes on from: the latest run dated
// at or before now (a slot missed since then runs at once, as after a
// downtime), or now itself when there is none (the next slot after now).
// It logs this once for each such date.
func (l *Loop) resume(ctx context.Context, cur Current, last, now time.Time, ahead *time.Time) (time.Time, error) {
	from, err := l.Store.LastSlotAt(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	if from.IsZero() {
		from = now
	}
	if !last.Equal(*ahead) {
		*ahead = last
		at := NextSlot(cur.Config.Schedule, from, cur.Config.Location)
		if at.Before(now) {
			at = now
		}
		loc := cur.Config.Location
		l.Log.Warn("the last run on record is dated after now; the clock was probably ahead when it ran; resuming at the next slot",
			"last_run", last.In(loc).Format(time.RFC3339), "now", now.In(loc).Format(time.RFC3339), "next_slot", at.In(loc).Format(time.RFC3339))
	}
	return from, nil
}

// latestSlot is the last slot at or before now, starting from first (due):
// after a long downtime only the latest missed slot is run.
func latestSlot(s cron.Schedule, first, now time.Time, loc *time.Location) time.Time {
	slot := first
	for i := 0; i < 100000; i++ {
		n := NextSlot(s, slot, loc)
		if n.IsZero() || n.After(now) {
			break
		}
		slot = n
	}
	return slot
}

// run is one run, with a panic turned into a logged error. It returns
// the error of a run that failed, which wrote nothing; a panic is a bug,
// which trying again would repeat: that slot is skipped.
func (l *Loop) run(ctx context.Context, cur Current, slot, now time.Time) error {
	defer func() {
		if p := recover(); p != nil {
			l.Log.Error("run panicked; the daemon goes on", "slot", slot.Format(time.RFC3339), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	start := time.Now()
	res, err := RunOnce(ctx, cur.Config, cur.Templates, l.Store, slot, now)
	if err != nil {
		return err
	}
	l.Log.Info("run", "slot", slot.Format(time.RFC3339), "due", res.Due, "reminded", res.Reminded,
		"enqueued", res.Enqueued, "deferred", res.Deferred, "waiting", res.Waiting, "took", time.Since(start).Round(time.Millisecond))
	if l.Ran != nil {
		l.Ran(res)
	}
	return nil
}
