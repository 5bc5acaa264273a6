package notifier

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

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/internal/split"
	"github.com/rekindle/rekindle/journal"
)

// Outbox is what delivery needs of the journal.
type Outbox interface {
	Due(ctx context.Context, now time.Time) ([]journal.Delivery, error)
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

// Router says where a person's reminders go now: their current channels,
// and false if they are no longer in the config.
type Router func(contact string) (channels []string, ok bool)

// Deliverer sends what the outbox holds: one worker per channel, so a slow
// or failing channel never delays or repeats another. A row is marked sent
// only after its channel accepted it; the one window for a duplicate is a
// crash between the two, which repeats the one message in flight (a batch
// on the console). What the state file refuses to record is kept beside it
// and never sent again.
type Deliverer struct {
	out      Outbox
	channels func() map[string]Channel
	log      *slog.Logger
	now      func() time.Time

	wake chan struct{}
	done chan struct{}

	wakes   atomic.Int64
	observe func(channel, outcome string, n int)
	route   Router
	stale   Staleness
	onIdle  func()
	redact  func() *redact.Redactor

	mu      sync.Mutex
	worked  bool // a worker was started since onIdle was last called
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

// NewDeliverer makes a deliverer; channels returns the current channels (a
// reload swaps them), now the time (tests pass a fake).
func NewDeliverer(out Outbox, channels func() map[string]Channel, log *slog.Logger, now func() time.Time) *Deliverer {
	if now == nil {
		now = time.Now
	}
	return &Deliverer{
		out: out, channels: channels, log: log, now: now,
		wake: make(chan struct{}, 1), done: make(chan struct{}, 16),
		busy: map[string]bool{}, blocked: map[string]time.Time{}, failing: map[string]bool{},
		streak: map[string]int{}, asked: map[string]time.Duration{}, held: map[int64]bool{},
	}
}

// Staleness tells, of the due rows, which are no longer due because
// something was logged or learned since they were enqueued (a reply, a
// talk, a snooze), and why: those are cancelled, not sent.
type Staleness func(ctx context.Context, rows []journal.Delivery) map[int64]string

// Stale sets how to find the due rows that are no longer due. Without it,
// every row goes out. Call it before Run.
func (d *Deliverer) Stale(s Staleness) { d.stale = s }

// Route sets how to find a person's current channels: a pending reminder
// whose channel left the config moves to them, and one whose person left
// is cancelled. Without it, rows go where they were enqueued. Call it
// before Run.
func (d *Deliverer) Route(r Router) { d.route = r }

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
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Observe sets a function told of every delivery outcome ("sent", "retry"
// or "failed", for n rows of a channel): the daemon's metrics. Call it
// before Run.
func (d *Deliverer) Observe(f func(channel, outcome string, n int)) { d.observe = f }

// OnIdle sets f to be called when the deliverer has sent what it had and
// nothing is pending or in flight, once each time: the moment a daemon can
// give back the memory the round took. Call it before Run.
func (d *Deliverer) OnIdle(f func()) { d.onIdle = f }

// Redact sets where the config's secrets come from (a reload may change
// them): they are cut out of every failure the outbox keeps and every
// failure notice sent through another channel, whichever channel's
// secret it is. Call it before Run.
func (d *Deliverer) Redact(r func() *redact.Redactor) { d.redact = r }

// cut is text without the config's secrets.
func (d *Deliverer) cut(text string) string {
	if d.redact == nil {
		return text
	}
	return d.redact().String(text)
}

func (d *Deliverer) outcome(channel, what string, n int) {
	if d.observe != nil {
		d.observe(channel, what, n)
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

// wentIdle calls onIdle when work was done since it last did and no
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
	if idle && d.onIdle != nil {
		d.onIdle()
	}
}

// describe is an error as the outbox keeps it: without the channel's name,
// which the row has.
func describe(err error) string {
	var ne *Error
	if errors.As(err, &ne) {
		return ne.Describe()
	}
	return err.Error()
}

// DeliverDue sends what is due now and returns when done: for
// `run --once`. Rows that fail for now stay pending with their backoff.
func (d *Deliverer) DeliverDue(ctx context.Context) Counts {
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

// start reads back, once, what the last process kept beside the state
// file because the state file refused it: those rows are never sent, and
// are recorded before anything else is. It then makes sure that file has
// its reserve, for a disk that fills up later.
func (d *Deliverer) start(ctx context.Context) {
	d.started.Do(func() {
		kept, err := d.out.ReadHeld()
		if err != nil {
			d.log.Error("cannot read what the last stop kept beside the state file; those reminders may be sent again", "err", err)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		rows := 0
		for _, m := range kept {
			d.marks = append(d.marks, m)
			for _, id := range m.IDs {
				d.held[id] = true
			}
			rows += len(m.IDs)
		}
		d.kept = true
		if rows > 0 {
			d.log.Info("found deliveries the state file could not record before the last stop; recording them, not sending them again", "rows", rows)
			d.flush(ctx)
		}
		if err := d.out.ReserveHeld(); err != nil {
			d.log.Warn("cannot set aside room beside the state file; should the disk fill up, a stop may forget what was sent and send it again", "err", err)
		}
	})
}

// stop tries once more, for at most stopRecord, to record what the state
// file refused; what it still refuses stays kept beside it.
func (d *Deliverer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.marks) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopRecord)
	defer cancel()
	d.flush(ctx)
	rows := 0
	for _, m := range d.marks {
		rows += len(m.IDs)
	}
	switch {
	case rows == 0:
	case d.kept:
		d.log.Warn("stopping with deliveries the state file could not record; they are kept beside it and recorded at the next start, not sent again",
			"rows", rows, "kept_in", d.out.HeldPath())
	default:
		d.log.Error("stopping with deliveries neither the state file nor the file beside it could record; the next start sends them again",
			"rows", rows)
	}
}

// idle is how long to sleep: until the next row or channel backoff is due,
// at most a minute (the wall clock may jump over a suspend). ok is false
// when nothing is pending at all.
func (d *Deliverer) idle(ctx context.Context) (wait time.Duration, ok bool) {
	now := d.now()
	wait = maxIdle
	next, pending, err := d.out.NextDue(ctx)
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

// dispatch starts a worker for each idle channel with due rows. The rows
// are read under the lock that guards busy: a worker records its results
// before it lets go of its channel, so no row read here can be one a worker
// has just sent.
func (d *Deliverer) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flush(ctx)
	now := d.now()
	rows, err := d.out.Due(ctx, now)
	if err != nil {
		d.log.Error("read outbox", "err", err)
		return
	}
	chans := d.channels()
	byChannel := map[string][]journal.Delivery{}
	unrecorded := map[string]bool{}
	for _, m := range d.marks {
		unrecorded[m.Channel] = true
	}
	var stale map[int64]string
	if d.stale != nil {
		stale = d.stale(ctx, rows)
	}
	for _, r := range rows {
		if why, ok := stale[r.ID]; ok && !d.held[r.ID] {
			d.cancel(ctx, d.rowLog(r), r, why)
			continue
		}
		if d.held[r.ID] || !d.routed(ctx, r, chans) {
			continue
		}
		byChannel[r.Channel] = append(byChannel[r.Channel], r)
	}
	d.retry = time.Time{}
	for name, rs := range byChannel {
		if until := d.blocked[name]; until.After(now) {
			if d.retry.IsZero() || until.Before(d.retry) {
				d.retry = until
			}
			continue
		}
		// A channel whose sends could not be recorded stays stopped until
		// they are.
		if d.busy[name] || unrecorded[name] {
			continue
		}
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

// flush writes the outcomes the state file could not take before, then
// what is kept beside it (nothing, once all are recorded). The caller
// holds d.mu.
func (d *Deliverer) flush(ctx context.Context) {
	recorded := false
	defer func() {
		if recorded {
			d.keep()
		}
	}()
	for len(d.marks) > 0 {
		m := d.marks[0]
		var err error
		if !m.Sent.IsZero() {
			err = d.out.MarkSent(ctx, m.IDs, m.Sent)
		} else {
			err = d.out.MarkFailed(ctx, m.IDs, m.Why)
		}
		if err != nil {
			d.log.Warn("the state file still cannot record deliveries; holding them", "pending_records", len(d.marks), "err", err)
			return
		}
		d.log.Info("recorded deliveries held back", "channel", m.Channel, "rows", len(m.IDs))
		for _, id := range m.IDs {
			delete(d.held, id)
		}
		d.marks = d.marks[1:]
		recorded = true
	}
}

// hold keeps an outcome that could not be recorded, in memory and beside
// the state file, so its rows are never sent again, and stops the channel
// until it is recorded. The caller holds d.mu.
func (d *Deliverer) hold(m journal.Held) {
	d.marks = append(d.marks, m)
	for _, id := range m.IDs {
		d.held[id] = true
	}
	d.keep()
}

// keep writes the outcomes not recorded yet beside the state file. The
// caller holds d.mu.
func (d *Deliverer) keep() {
	if err := d.out.KeepHeld(d.marks); err != nil {
		d.kept = false
		if len(d.marks) > 0 {
			d.log.Error("cannot keep unrecorded deliveries beside the state file either; should rekindle stop now, it sends them again",
				"err", err)
		}
		return
	}
	d.kept = true
}

// routed tells whether a due row may go to its channel. A row whose
// person left the config is cancelled; one whose channel left is moved to
// the person's current channels. The caller holds d.mu.
func (d *Deliverer) routed(ctx context.Context, r journal.Delivery, chans map[string]Channel) bool {
	if d.route == nil {
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
	to, known := d.route(r.Contact)
	if !known {
		d.cancel(ctx, log(), r, r.Contact+" is no longer in the config")
		return false
	}
	if chans[r.Channel] != nil {
		return true
	}
	// The row keeps the message unformatted: any channel can take it.
	why := "moved to " + strings.Join(to, ", ") + ": the channel " + r.Channel + " is no longer in the config"
	if _, err := d.out.Move(ctx, r, to, r.Message, why); err != nil {
		log().Error("move a reminder off a channel that left the config", "err", err)
		return false
	}
	log().Info("the channel is no longer in the config; moved the pending reminder", "to", strings.Join(to, ","))
	d.Wake() // the copies are due now: another round picks them up
	return false
}

// rowLog is the log with a row's person, kind and channel.
func (d *Deliverer) rowLog(r journal.Delivery) *slog.Logger {
	return d.log.With("contact", r.Contact, "kind", r.Kind, "channel", r.Channel)
}

// cancel takes a row out of the queue for good. The caller holds d.mu.
func (d *Deliverer) cancel(ctx context.Context, log *slog.Logger, r journal.Delivery, why string) {
	if err := d.out.MarkCancelled(ctx, []int64{r.ID}, why); err != nil {
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
	msg  Message
	rows []journal.Delivery
}

// group turns due rows into sends: digest rows of one run become one. The
// messages are read on all cores (a run with no max_per_run leaves tens of
// thousands). A row whose message cannot be decoded is returned apart.
func group(rows []journal.Delivery) (out []message, bad []journal.Delivery, errs []error) {
	decoded := make([]Message, len(rows))
	failed := make([]error, len(rows))
	split.Ranges(len(rows), 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			decoded[i], failed[i] = DecodeMessage(rows[i].Message)
		}
	})
	out = make([]message, 0, len(rows))
	batches := map[int64]int{}   // a digest batch → its send in out
	parts := map[int][]Message{} // a digest send → its messages
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
			parts[len(out)] = []Message{decoded[i]}
		}
		out = append(out, message{ids: []int64{r.ID}, msg: decoded[i], rows: rows[i : i+1 : i+1]})
	}
	for k, msgs := range parts {
		if len(msgs) > 1 {
			out[k].msg = digestOf(msgs)
		}
	}
	return out, bad, errs
}

// work sends one channel's due rows in order. A temporary failure stops the
// round and holds the whole channel back: 5 s doubling to 30 min with each
// failure in a row, whatever its queue length, and never sooner than the
// server asked (up to MaxRetryAfter).
func (d *Deliverer) work(ctx context.Context, name string, rows []journal.Delivery) {
	msgs, bad, errs := group(rows)
	for i, r := range bad {
		// The row is broken, not the channel: marked failed once, with no
		// notice that the channel fails.
		why := fmt.Sprintf("the stored message cannot be read (%v); it was written by another version of rekindle or the state file is damaged (permanent)", errs[i])
		log := d.log.With("channel", name, "contact", r.Contact, "kind", r.Kind, "row", r.ID)
		log.Error("an outbox row cannot be read; marked failed", "err", errs[i])
		d.markFailed(log, name, []int64{r.ID}, why)
	}
	ch := d.channels()[name]
	// In a round of many, a channel that can hold what it delivers (the
	// console) holds it until the batch is recorded, and flushes first.
	// A round of a few writes each message as it goes, after its log line.
	deliver, flush := Channel.Deliver, func() error { return nil }
	held := false
	if h, ok := ch.(heldChannel); ok && len(msgs) > bulkRound {
		deliver = func(_ Channel, ctx context.Context, m Message) error { return h.DeliverHeld(ctx, m) }
		flush, held = h.Flush, true
	}
	// A channel that talks to a server records each message it accepted
	// before the next one goes: a crash (kill -9) between the server's
	// accept and the record repeats that one message, never more. The
	// console, holding a round, records it in batches of at most
	// recordRows rows or recordWait after the first: one commit (and
	// fsync) for many lines, and a crash repeats at most one batch.
	var batch []int64
	var batchStart, lastSent time.Time
	// A round of many sends (a run with no max_per_run) logs one line per
	// recordRows rows or recordWait, not one per message.
	bulk := len(msgs) > bulkRound
	var unlogged int
	var logStart time.Time
	logBulk := func(force bool) {
		if unlogged > 0 && (force || unlogged >= recordRows || d.now().Sub(logStart) >= recordWait) {
			d.log.Info("delivered", "channel", name, "rows", unlogged)
			unlogged = 0
		}
	}
	defer logBulk(true)
	record := func() bool {
		if len(batch) == 0 {
			return true
		}
		ids := batch
		batch = nil
		if err := flush(); err != nil {
			// How much of the batch got out is not known: all of it is
			// tried again, later. (The counts are put right; the metrics'
			// "sent" counter, which only goes up, keeps these rows.)
			d.mu.Lock()
			d.counts.Sent -= len(ids)
			d.mu.Unlock()
			d.retryLater(d.log.With("channel", name, "rows", len(ids)), name, ids, d.now(), err)
			return false
		}
		err := d.out.MarkSent(context.Background(), ids, lastSent)
		if err == nil {
			if bulk {
				if unlogged == 0 {
					logStart = d.now()
				}
				unlogged += len(ids)
				logBulk(false)
			}
			return true
		}
		// The server has them; the state file does not know. Never send
		// them again, stop the channel and back off; flush records them
		// once writes work again.
		d.mu.Lock()
		d.hold(journal.Held{Channel: name, IDs: ids, Sent: lastSent})
		d.streak[name]++
		wait := backoff(d.streak[name], 0, rand.Float64())
		d.blocked[name] = d.now().Add(wait)
		d.mu.Unlock()
		d.log.Error("delivered, but the state file could not record it; keeping the record aside and pausing the channel",
			"channel", name, "rows", len(ids), "err", err, "retry_in", wait.Round(time.Second))
		return false
	}
	defer record()
	for _, m := range msgs {
		if ctx.Err() != nil {
			return
		}
		// The logger with the row's attributes costs more than a send to
		// the console: made only when something goes wrong.
		log := func() *slog.Logger {
			return d.log.With("channel", name, "contact", m.rows[0].Contact, "kind", m.rows[0].Kind, "rows", len(m.ids))
		}
		if ch == nil {
			if !record() {
				return
			}
			d.fail(ctx, log(), name, m, &Error{Channel: name, Msg: "the channel is no longer in the config"})
			continue
		}
		m.msg.ID = deliveryID(m.rows)
		err := deliver(ch, ctx, m.msg)
		if err != nil && ctx.Err() != nil {
			return // stopped mid-send: the row stays pending for the next start
		}
		now := d.now()
		if err == nil {
			if len(batch) == 0 {
				batchStart = now
			}
			batch, lastSent = append(batch, m.ids...), now
			d.outcome(name, "sent", len(m.ids))
			d.mu.Lock()
			d.counts.Sent += len(m.ids)
			delete(d.failing, name)
			delete(d.streak, name)
			delete(d.asked, name)
			d.mu.Unlock()
			if !held || len(batch) >= recordRows || now.Sub(batchStart) >= recordWait {
				if !record() {
					return
				}
			}
			if !bulk {
				d.log.Info("delivered", "channel", name, "contact", m.rows[0].Contact, "kind", m.rows[0].Kind, "rows", len(m.ids),
					"attempt", m.rows[0].Attempts+1)
			}
			continue
		}
		if !record() {
			return
		}
		if retryable(err) {
			d.retryLater(log(), name, m.ids, now, err)
			return
		}
		d.fail(ctx, log(), name, m, err)
	}
}

// retryLater records a failure for now of the rows ids through channel
// name: the channel backs off (at least as long as the server asked, up to
// MaxRetryAfter) and the rows are tried again after it.
func (d *Deliverer) retryLater(log *slog.Logger, name string, ids []int64, now time.Time, err error) {
	asked := askedWait(err)
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
	if err := d.out.MarkRetry(context.Background(), ids, next, errText); err != nil {
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
func oneConsole(names []string, chans map[string]Channel) []string {
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
	if err := d.out.MarkFailed(context.Background(), ids, why); err != nil {
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
	var ne *Error
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
	chans := d.channels()
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
	if _, err := d.out.EnqueueNotice(context.Background(), now, rows); err != nil {
		log.Error("enqueue failure notice", "err", err)
		return
	}
	log.Info("reported the failure through the other channels", "to", strings.Join(others, ","))
	d.Wake()
}
