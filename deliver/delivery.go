// Package deliver is the outbox engine: it takes what the outbox holds
// when it is due, groups a person's rows into batches, sends each through
// the channels of package notifier, and records the outcome: sent, retried
// later with backoff (per channel, honouring a server's Retry-After),
// failed for good with a notice through the other channels, or cancelled
// when the reminder is no longer due. What a channel accepted but the
// journal could not record is kept in a side file (the held records) and
// written when the journal can take it again.
package deliver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/internal/split"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// Outbox is what delivery needs of the journal.
type Outbox interface {
	Due(ctx context.Context, now time.Time) ([]journal.Delivery, error)
	Waiting(ctx context.Context, now time.Time) ([]journal.Delivery, error)
	NextDue(ctx context.Context) (time.Time, bool, error)
	MarkSent(ctx context.Context, ids []int64, at time.Time) error
	MarkRetry(ctx context.Context, ids []int64, next time.Time, errText string) error
	MarkFailed(ctx context.Context, ids []int64, errText string) error
	MarkCancelled(ctx context.Context, ids []int64, why string) error
	Move(ctx context.Context, d journal.Delivery, channels []string, message []byte, why string) (int, error)
	EnqueueNotice(ctx context.Context, now time.Time, rows []journal.Row) (int, error)
	// What a channel accepted but the state file could not record is
	// kept beside it, so that neither a stop nor a crash sends it again.
	ReadHeld() ([]journal.Held, error)
	KeepHeld(held []journal.Held) error
	ReserveHeld() error
	HeldPath() string
}

var _ Outbox = (*journal.Journal)(nil)

// Backoff bounds for temporary failures.
const (
	backoffBase = 5 * time.Second
	backoffCap  = 30 * time.Minute
	// Grace is how long an in-flight send may go on after Run is asked to
	// stop.
	Grace = 5 * time.Second
	// maxIdle bounds a sleep, so the worker re-reads the wall clock at least
	// once a minute (timers stop during suspend).
	maxIdle = time.Minute
	// MaxRetryAfter caps the wait a server may ask for: a Retry-After of
	// years would park a channel silently.
	MaxRetryAfter = 6 * time.Hour
	// recordRows and recordWait bound a batch of console lines recorded
	// at once, and so what a crash can repeat there (other channels record
	// each message), and a round's log line.
	recordRows = 1024
	recordWait = 100 * time.Millisecond
	// bulkRound is the most sends in one round that are each logged.
	bulkRound = 20
	// stopRecord bounds the last try, on stop, to record in the state
	// file what it could not take before; what it still refuses is kept
	// beside it for the next start.
	stopRecord = time.Second
)

// backoff returns the wait before attempt n+1 after n failed ones: 5 s
// doubling to 30 min, with ±20 % jitter, and never less than what the
// server asked for.
func backoff(attempts int, retryAfter time.Duration, jitter float64) time.Duration {
	d := backoffBase
	for i := 1; i < attempts && d < backoffCap; i++ {
		d *= 2
	}
	d = min(d, backoffCap)
	d = time.Duration(float64(d) * (0.8 + 0.4*jitter))
	return max(d, retryAfter)
}

// Counts are what delivery did, for logs and metrics.
type Counts struct {
	Sent, Retried, Failed, Cancelled int
}

// ChannelState is how a channel fares, for status and metrics.
type ChannelState struct {
	Channel  string
	Failures int       // temporary failures in a row
	Until    time.Time // no sends before; zero when the channel is not held back
	// Asked is the wait the server asked for when it was more than
	// MaxRetryAfter, which was used instead; zero otherwise.
	Asked time.Duration
	// Unrecorded counts reminders the channel accepted that the state file
	// could not record yet: this process will not send them again.
	Unrecorded int
}

// Staleness tells, of the due rows, which are no longer due because
// something was logged or learned since they were enqueued (a reply, a
// talk, a snooze), and why: those are cancelled, not sent.
type Staleness func(ctx context.Context, rows []journal.Delivery) map[int64]string

// Router says where a person's reminders go now: their current channels,
// and false if they are no longer in the config.
type Router func(contact string) (channels []string, ok bool)

// Deliverer sends what the outbox holds: one worker per channel, so a slow
// or failing channel never delays or repeats another. A row is marked sent
// only after its channel accepted it; the one window for a duplicate is a
// crash between the two, which repeats the one message in flight (a batch
// on the console). What the state file refuses to record is kept beside it
// and never sent again. Outbox, Current and Log are required; the other
// fields are set before Run, and not changed after.
type Deliverer struct {
	Outbox Outbox
	// Current returns the current channels (a reload swaps them).
	Current func() map[string]notifier.Channel
	Log     *slog.Logger
	// Now is the time (tests pass a fake); nil: time.Now.
	Now func() time.Time
	// Route, if set, finds a person's current channels: a pending reminder
	// whose channel left the config moves to them, and one whose person
	// left is cancelled. Without it, rows go where they were enqueued.
	Route Router
	// Stale, if set, finds the due rows that are no longer due; they are
	// cancelled. Without it, every row goes out.
	Stale Staleness
	// Observe, if set, is told of every delivery outcome ("sent", "retry"
	// or "failed", for n rows of a channel): the daemon's metrics.
	Observe func(channel, outcome string, n int)
	// OnIdle, if set, is called when the deliverer has sent what it had
	// and nothing is pending or in flight, once each time: the moment a
	// daemon can give back the memory the round took.
	OnIdle func()
	// Redact, if set, gives the config's secrets (a reload may change
	// them): they are cut out of every failure the outbox keeps and every
	// failure notice sent through another channel, whichever channel's
	// secret it is.
	Redact func() *redact.Redactor

	setup sync.Once
	wake  chan struct{}
	done  chan struct{}
	wakes atomic.Int64
	// recheck: the rows waiting for their time are checked at the next
	// dispatch (Recheck).
	recheck atomic.Bool

	mu      sync.Mutex
	worked  bool // a worker was started since OnIdle was last called
	busy    map[string]bool
	blocked map[string]time.Time     // channel backoff after a temporary failure
	streak  map[string]int           // temporary failures in a row, by channel
	asked   map[string]time.Duration // a Retry-After that was capped
	failing map[string]bool          // channels whose permanent failure was reported
	retry   time.Time                // when the first channel held back with rows due may go again
	// marks and held: outcomes the state file could not record yet, and
	// the rows they cover, which must never be sent again. The marks are
	// kept beside the state file too (kept tells whether that worked), and
	// read back at the next start (started).
	marks   []journal.Held
	held    map[int64]bool
	kept    bool
	started sync.Once
	counts  Counts
}

// ready makes the deliverer's own state on first use: Wake (the schedule,
// a reload) may come before Run has started.
func (d *Deliverer) ready() {
	d.setup.Do(func() {
		d.wake, d.done = make(chan struct{}, 1), make(chan struct{}, 16)
		d.busy, d.blocked, d.failing = map[string]bool{}, map[string]time.Time{}, map[string]bool{}
		d.streak, d.asked, d.held = map[string]int{}, map[string]time.Duration{}, map[int64]bool{}
	})
}

// now is the time by Now.
func (d *Deliverer) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// Channels returns the state of every channel that is held back, has
// failed in a row, or has unrecorded sends.
func (d *Deliverer) Channels() []ChannelState {
	d.mu.Lock()
	defer d.mu.Unlock()
	byName := map[string]*ChannelState{}
	get := func(name string) *ChannelState {
		if byName[name] == nil {
			byName[name] = &ChannelState{Channel: name}
		}
		return byName[name]
	}
	now := d.now()
	for name, until := range d.blocked {
		if until.After(now) {
			get(name).Until = until
		}
	}
	for name, n := range d.streak {
		get(name).Failures = n
	}
	for name, a := range d.asked {
		get(name).Asked = a
	}
	for _, m := range d.marks {
		if !m.Sent.IsZero() {
			get(m.Channel).Unrecorded += len(m.IDs)
		}
	}
	out := make([]ChannelState, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Channel < out[k].Channel })
	return out
}

// Wake tells the deliverer that new rows may be due.
func (d *Deliverer) Wake() {
	d.ready()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Recheck tells the deliverer that what decides whether its pending
// reminders are still due may have changed (a reload, something learned
// from a source): the rows waiting for their time (a backoff, quiet
// hours) are checked at once, not when it comes, and one no longer due,
// or whose person left the config, is cancelled. A row whose channel
// left moves when it comes due, as before.
func (d *Deliverer) Recheck() {
	d.ready()
	d.recheck.Store(true)
	d.Wake()
}

// cut is text without the config's secrets.
func (d *Deliverer) cut(text string) string {
	if d.Redact == nil {
		return text
	}
	return d.Redact().String(text)
}

func (d *Deliverer) outcome(channel, what string, n int) {
	if d.Observe != nil {
		d.Observe(channel, what, n)
	}
}

// Wakes counts how often the deliverer woke from a wait.
func (d *Deliverer) Wakes() int64 { return d.wakes.Load() }

// Counts returns what was delivered so far.
func (d *Deliverer) Counts() Counts {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counts
}

// Run delivers until ctx is done, then lets in-flight sends finish for up
// to Grace and returns.
func (d *Deliverer) Run(ctx context.Context) {
	d.ready()
	d.start(ctx)
	sendCtx, cancelSends := context.WithCancel(context.Background())
	defer cancelSends()
	var wg sync.WaitGroup
	for {
		d.dispatch(sendCtx, &wg)
		// With nothing pending, sleep until woken: an idle daemon should
		// not wake up for nothing.
		var tick <-chan time.Time
		timer := time.NewTimer(time.Hour)
		if wait, ok := d.idle(ctx); ok {
			timer.Reset(wait)
			tick = timer.C
		} else {
			timer.Stop()
			d.wentIdle()
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			grace := time.NewTimer(Grace)
			select {
			case <-finished:
			case <-grace.C:
				cancelSends()
				<-finished
			}
			grace.Stop()
			d.stop()
			return
		case <-d.wake:
		case <-d.done:
		case <-tick:
		}
		d.wakes.Add(1)
		timer.Stop()
	}
}

// wentIdle calls OnIdle when work was done since it last did and no
// worker is still at it.
func (d *Deliverer) wentIdle() {
	d.mu.Lock()
	idle := d.worked
	for _, busy := range d.busy {
		idle = idle && !busy
	}
	if idle {
		d.worked = false
	}
	d.mu.Unlock()
	if idle && d.OnIdle != nil {
		d.OnIdle()
	}
}

// describe is an error as the outbox keeps it: without the channel's name,
// which the row has.
func describe(err error) string {
	var ne *notifier.Error
	if errors.As(err, &ne) {
		return ne.Describe()
	}
	return err.Error()
}

// DeliverDue sends what is due now and returns when done: for
// `run --once`. Rows that fail for now stay pending with their backoff.
func (d *Deliverer) DeliverDue(ctx context.Context) Counts {
	d.ready()
	d.start(ctx)
	// A second pass sends what the first one enqueued (failure notices).
	for pass := 0; pass < 2; pass++ {
		var wg sync.WaitGroup
		d.dispatch(ctx, &wg)
		wg.Wait()
	}
	d.stop()
	return d.Counts()
}

// idle is how long to sleep: until the next row or channel backoff is due,
// at most a minute (the wall clock may jump over a suspend). ok is false
// when nothing is pending at all.
func (d *Deliverer) idle(ctx context.Context) (wait time.Duration, ok bool) {
	now := d.now()
	wait = maxIdle
	next, pending, err := d.Outbox.NextDue(ctx)
	if err != nil {
		return wait, true
	}
	// A row already due waits for its channel: a worker that finishes
	// wakes the loop, a backoff ends below. Only a row due later sets
	// a timer of its own; anything else would spin.
	if pending && next.After(now) {
		wait = min(wait, next.Sub(now))
	}
	// A channel held back with rows due: wake when its backoff ends, even
	// if that moment has passed since dispatch looked (comparing the
	// backoff with a later clock here would miss it and sleep a minute).
	d.mu.Lock()
	if !d.retry.IsZero() {
		wait = min(wait, d.retry.Sub(now))
	}
	d.mu.Unlock()
	return max(wait, 10*time.Millisecond), pending
}

// dispatch starts a worker for each idle channel with due rows. A row
// goes through its stages in this order: due (read from the outbox),
// stale (cancelled when no longer due), routed (moved or cancelled when
// its channel or person left the config), open (its channel not held back
// nor busy), then a worker's round (work). The rows are read under the
// lock that guards busy: a worker records its results before it lets go
// of its channel, so no row read here can be one a worker has just sent.
func (d *Deliverer) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flush(ctx)
	now := d.now()
	if d.recheck.Swap(false) {
		d.sweep(ctx, now)
	}
	rows, err := d.Outbox.Due(ctx, now)
	if err != nil {
		d.Log.Error("read outbox", "err", err)
		return
	}
	rows = d.cancelStale(ctx, rows)
	byChannel := d.routeAll(ctx, rows)
	for name, rs := range d.open(byChannel, now) {
		d.busy[name] = true
		d.worked = true
		wg.Go(func() {
			d.work(ctx, name, rs)
			d.mu.Lock()
			d.busy[name] = false
			d.mu.Unlock()
			select {
			case d.done <- struct{}{}:
			default:
			}
		})
	}
}

// cancelStale cancels the rows Stale finds no longer due, and returns the
// others. A row held (sent, not yet recorded) is never cancelled. The
// caller holds d.mu.
func (d *Deliverer) cancelStale(ctx context.Context, rows []journal.Delivery) []journal.Delivery {
	if d.Stale == nil {
		return rows
	}
	stale := d.Stale(ctx, rows)
	if len(stale) == 0 {
		return rows
	}
	keep := rows[:0:0]
	for _, r := range rows {
		if why, ok := stale[r.ID]; ok && !d.held[r.ID] {
			d.cancel(ctx, d.rowLog(r), r, why)
			continue
		}
		keep = append(keep, r)
	}
	return keep
}

// sweep cancels the rows waiting for their time that are no longer due,
// or whose person left the config (Recheck). The caller holds d.mu.
func (d *Deliverer) sweep(ctx context.Context, now time.Time) {
	rows, err := d.Outbox.Waiting(ctx, now)
	if err != nil {
		d.Log.Error("read outbox", "err", err)
		return
	}
	for _, r := range d.cancelStale(ctx, rows) {
		if d.Route != nil && r.Kind != journal.ChannelFailed && !d.held[r.ID] {
			if _, known := d.Route(r.Contact); !known {
				d.cancelGone(ctx, d.rowLog(r), r)
			}
		}
	}
}

// cancelGone cancels a row of a person no longer in the config. The
// caller holds d.mu.
func (d *Deliverer) cancelGone(ctx context.Context, log *slog.Logger, r journal.Delivery) {
	d.cancel(ctx, log, r, r.Contact+" is no longer in the config")
}

// routeAll groups the rows that may go to their channel by channel,
// leaving out the held ones and those routed moves or cancels. The caller
// holds d.mu.
func (d *Deliverer) routeAll(ctx context.Context, rows []journal.Delivery) map[string][]journal.Delivery {
	chans := d.Current()
	// Each channel's list is made at its size: grown by append, 100,000
	// rows of a run with everyone due were copied over and over (0.25 s
	// of CPU in bench/core.sh's once row, and garbage).
	keep := make([]bool, len(rows))
	count := map[string]int{}
	for i, r := range rows {
		if d.held[r.ID] || !d.routed(ctx, r, chans) {
			continue
		}
		keep[i] = true
		count[r.Channel]++
	}
	byChannel := make(map[string][]journal.Delivery, len(count))
	for name, n := range count {
		byChannel[name] = make([]journal.Delivery, 0, n)
	}
	for i, r := range rows {
		if keep[i] {
			byChannel[r.Channel] = append(byChannel[r.Channel], r)
		}
	}
	return byChannel
}

// open keeps the channels that may send now: not held back after a
// temporary failure (the earliest end of a backoff is kept in d.retry, for
// idle), not busy with a round, and with no sends the state file could
// not record yet (such a channel stays stopped until they are). The
// caller holds d.mu.
func (d *Deliverer) open(byChannel map[string][]journal.Delivery, now time.Time) map[string][]journal.Delivery {
	unrecorded := map[string]bool{}
	for _, m := range d.marks {
		unrecorded[m.Channel] = true
	}
	d.retry = time.Time{}
	for name := range byChannel {
		if until := d.blocked[name]; until.After(now) {
			if d.retry.IsZero() || until.Before(d.retry) {
				d.retry = until
			}
			delete(byChannel, name)
			continue
		}
		if d.busy[name] || unrecorded[name] {
			delete(byChannel, name)
		}
	}
	return byChannel
}

// routed tells whether a due row may go to its channel. A row whose
// person left the config is cancelled; one whose channel left is moved to
// the person's current channels. The caller holds d.mu.
func (d *Deliverer) routed(ctx context.Context, r journal.Delivery, chans map[string]notifier.Channel) bool {
	if d.Route == nil {
		return true
	}
	// The logger with the row's attributes is made only off the common path.
	log := func() *slog.Logger { return d.rowLog(r) }
	if r.Kind == journal.ChannelFailed {
		if chans[r.Channel] != nil {
			return true
		}
		d.cancel(ctx, log(), r, "the channel "+r.Channel+" is no longer in the config")
		return false
	}
	to, known := d.Route(r.Contact)
	if !known {
		d.cancelGone(ctx, log(), r)
		return false
	}
	if chans[r.Channel] != nil {
		return true
	}
	// The row keeps the message unformatted: any channel can take it.
	why := "moved to " + strings.Join(to, ", ") + ": the channel " + r.Channel + " is no longer in the config"
	if _, err := d.Outbox.Move(ctx, r, to, r.Message, why); err != nil {
		log().Error("move a reminder off a channel that left the config", "err", err)
		return false
	}
	log().Info("the channel is no longer in the config; moved the pending reminder", "to", strings.Join(to, ","))
	d.Wake() // the copies are due now: another round picks them up
	return false
}

// rowLog is the log with a row's person, kind and channel.
func (d *Deliverer) rowLog(r journal.Delivery) *slog.Logger {
	return d.Log.With("contact", r.Contact, "kind", r.Kind, "channel", r.Channel)
}

// cancel takes a row out of the queue for good. The caller holds d.mu.
func (d *Deliverer) cancel(ctx context.Context, log *slog.Logger, r journal.Delivery, why string) {
	if err := d.Outbox.MarkCancelled(ctx, []int64{r.ID}, why); err != nil {
		log.Error("cancel a pending reminder", "why", why, "err", err)
		d.held[r.ID] = true // never sent by this process all the same
		return
	}
	d.counts.Cancelled++
	log.Info("cancelled a pending reminder", "why", why)
}

// message is one send: a row, or the rows of one digest batch.
type message struct {
	ids  []int64
	msg  compose.Message
	rows []journal.Delivery
}

// group turns due rows into sends: digest rows of one run become one. The
// messages are read on all cores (a run with no max_per_run leaves tens of
// thousands). A row whose message cannot be decoded is returned apart.
func group(rows []journal.Delivery) (out []message, bad []journal.Delivery, errs []error) {
	decoded := make([]compose.Message, len(rows))
	failed := make([]error, len(rows))
	split.Ranges(len(rows), 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			decoded[i], failed[i] = compose.DecodeMessage(rows[i].Message)
		}
	})
	out = make([]message, 0, len(rows))
	batches := map[int64]int{}           // a digest batch → its send in out
	parts := map[int][]compose.Message{} // a digest send → its messages
	for i, r := range rows {
		if err := failed[i]; err != nil {
			bad = append(bad, r)
			errs = append(errs, err)
			continue
		}
		if r.Digest && r.Batch != 0 {
			if k, ok := batches[r.Batch]; ok {
				out[k].ids = append(out[k].ids, r.ID)
				out[k].rows = append(out[k].rows, r)
				parts[k] = append(parts[k], decoded[i])
				continue
			}
			batches[r.Batch] = len(out)
			parts[len(out)] = []compose.Message{decoded[i]}
		}
		out = append(out, message{ids: []int64{r.ID}, msg: decoded[i], rows: rows[i : i+1 : i+1]})
	}
	for k, msgs := range parts {
		if len(msgs) > 1 {
			out[k].msg = compose.Digest(msgs)
		}
	}
	return out, bad, errs
}

// retryLater records a failure for now of the rows ids through channel
// name: the channel backs off (at least as long as the server asked, up to
// MaxRetryAfter) and the rows are tried again after it.
func (d *Deliverer) retryLater(log *slog.Logger, name string, ids []int64, now time.Time, err error) {
	asked := notifier.AskedWait(err)
	errText := d.cut(describe(err))
	if asked > MaxRetryAfter {
		errText += fmt.Sprintf(" (capped at %s)", MaxRetryAfter)
		log.Warn("the server asked to wait longer than rekindle ever waits; capped", "asked", asked, "cap", MaxRetryAfter)
	}
	d.mu.Lock()
	d.streak[name]++
	failures := d.streak[name]
	if asked > MaxRetryAfter {
		d.asked[name] = asked
	} else {
		delete(d.asked, name)
	}
	wait := backoff(failures, min(asked, MaxRetryAfter), rand.Float64())
	next := now.Add(wait)
	d.blocked[name] = next
	d.counts.Retried += len(ids)
	d.mu.Unlock()
	if err := d.Outbox.MarkRetry(context.Background(), ids, next, errText); err != nil {
		log.Error("record retry", "err", err)
	}
	d.outcome(name, "retry", len(ids))
	log.Warn("delivery failed; will retry", "err", err, "failures_in_a_row", failures, "retry_in", wait.Round(time.Second))
}

// deliveryID names one delivery, the same at every attempt and after a
// restart: a hash of its rows' identities (person, kind, anchor, repeat,
// channel), which the outbox keeps unique. Letters and digits only, as
// ntfy's sequence ids and Message-ID's local part take them.
func deliveryID(rows []journal.Delivery) string {
	h := sha256.New()
	var b []byte
	for _, r := range rows {
		b = append(b[:0], r.Contact...)
		b = append(append(b, 0), r.Kind...)
		b = strconv.AppendInt(append(b, 0), r.Anchor.UnixMilli(), 10)
		b = strconv.AppendInt(append(b, 0), int64(r.Repeat), 10)
		b = append(append(append(b, 0), r.Channel...), 0)
		h.Write(b)
	}
	return "rk" + hex.EncodeToString(h.Sum(nil))[:30]
}

// oneConsole keeps one of the console channels among names: they all write
// to standard output, where a notice read twice is one too many. A console
// channel of the config's own is kept over the built-in one.
func oneConsole(names []string, chans map[string]notifier.Channel) []string {
	keep := ""
	for _, n := range names {
		if c := chans[n]; c != nil && c.Type() == "console" && (keep == "" || keep == config.ConsoleChannel) {
			keep = n
		}
	}
	return slices.DeleteFunc(names, func(n string) bool {
		c := chans[n]
		return c != nil && c.Type() == "console" && n != keep
	})
}

// markFailed records rows as failed for good, counts them, and holds the
// outcome in memory when the state file cannot take it (the rows are then
// never sent again by this process).
func (d *Deliverer) markFailed(log *slog.Logger, name string, ids []int64, why string) {
	if err := d.Outbox.MarkFailed(context.Background(), ids, why); err != nil {
		log.Error("record failure; keeping the record aside", "err", err)
		d.mu.Lock()
		d.hold(journal.Held{Channel: name, IDs: ids, Why: why})
		d.mu.Unlock()
	}
	d.mu.Lock()
	d.counts.Failed += len(ids)
	d.mu.Unlock()
	d.outcome(name, "failed", len(ids))
}

// fail records a permanent failure and, the first time a channel fails,
// tells the user through their other channels.
func (d *Deliverer) fail(ctx context.Context, log *slog.Logger, name string, m message, err error) {
	d.markFailed(log, name, m.ids, d.cut(describe(err)))
	hint := ""
	var ne *notifier.Error
	if errors.As(err, &ne) {
		hint = ne.Hint()
	}
	log.Error("delivery failed for good", "err", err, "hint", hint)
	d.mu.Lock()
	first := !d.failing[name]
	d.failing[name] = true
	d.mu.Unlock()
	if !first {
		return
	}
	var others []string
	chans := d.Current()
	for other := range chans {
		d.mu.Lock()
		ok := !d.failing[other] && !d.blocked[other].After(d.now())
		d.mu.Unlock()
		if other != name && ok {
			others = append(others, other)
		}
	}
	sort.Strings(others)
	others = oneConsole(others, chans)
	if len(others) == 0 {
		return
	}
	notice := failureNotice(name, err, m.msg.Title)
	notice.Lead = d.cut(notice.Lead)
	body, _ := json.Marshal(notice)
	now := d.now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var rows []journal.Row
	for _, o := range others {
		rows = append(rows, journal.Row{Identity: journal.Identity{Contact: name, Kind: journal.ChannelFailed, Anchor: day},
			Channel: o, Message: body})
	}
	if _, err := d.Outbox.EnqueueNotice(context.Background(), now, rows); err != nil {
		log.Error("enqueue failure notice", "err", err)
		return
	}
	log.Info("reported the failure through the other channels", "to", strings.Join(others, ","))
	d.Wake()
}

// failureNotice tells the user that a channel failed for good.
func failureNotice(channel string, err error, title string) compose.Message {
	detail, hint := err.Error(), ""
	var ne *notifier.Error
	if errors.As(err, &ne) {
		detail, hint = ne.Describe(), ne.Hint()
	}
	lead := fmt.Sprintf("rekindle could not deliver %q through the channel %q: %s.", title, channel, detail)
	if hint != "" {
		lead += " " + strings.ToUpper(hint[:1]) + hint[1:] + "."
	}
	lead += fmt.Sprintf(" Fix the config, then check it with: rekindle test-notify %s", channel)
	return compose.Message{Title: "rekindle: channel " + channel + " is failing", Lead: lead, Priority: 4, Tags: []string{"warning"}}
}
