package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rekindle/rekindle/journal"
)

// Outbox is what delivery needs of the journal.
type Outbox interface {
	Due(ctx context.Context, now time.Time) ([]journal.Delivery, error)
	NextDue(ctx context.Context) (time.Time, bool, error)
	MarkSent(ctx context.Context, ids []int64, at time.Time) error
	MarkRetry(ctx context.Context, ids []int64, next time.Time, errText string) error
	MarkFailed(ctx context.Context, ids []int64, errText string) error
	EnqueueNotice(ctx context.Context, now time.Time, rows []journal.Row) (int, error)
}

var _ Outbox = (*journal.Journal)(nil)

// Backoff bounds for temporary failures.
const (
	BackoffBase = 5 * time.Second
	BackoffCap  = 30 * time.Minute
	// Grace is how long an in-flight send may go on after Run is asked to
	// stop.
	Grace = 5 * time.Second
	// maxIdle bounds a sleep, so the worker re-reads the wall clock at least
	// once a minute (timers stop during suspend).
	maxIdle = time.Minute
)

// Backoff returns the wait before attempt n+1 after n failed ones: 5 s
// doubling to 30 min, with ±20 % jitter, and never less than what the
// server asked for.
func Backoff(attempts int, retryAfter time.Duration, jitter float64) time.Duration {
	d := BackoffBase
	for i := 1; i < attempts && d < BackoffCap; i++ {
		d *= 2
	}
	d = min(d, BackoffCap)
	d = time.Duration(float64(d) * (0.8 + 0.4*jitter))
	return max(d, retryAfter)
}

// Counts are what delivery did, for logs and metrics.
type Counts struct {
	Sent, Retried, Failed int
}

// Deliverer sends what the outbox holds: one worker per channel, so a slow
// or failing channel never delays or repeats another. A row is marked sent
// only after its channel accepted it; the one window for a duplicate is a
// crash between the two.
type Deliverer struct {
	out      Outbox
	channels func() map[string]Channel
	log      *slog.Logger
	now      func() time.Time

	wake chan struct{}
	done chan struct{}

	wakes   atomic.Int64
	observe func(channel, outcome string, n int)
	prepare func(Message) Message

	mu      sync.Mutex
	busy    map[string]bool
	blocked map[string]time.Time // channel backoff after a temporary failure
	failing map[string]bool      // channels whose permanent failure was reported
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
	}
}

// Wake tells the deliverer that new rows may be due.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Prepare sets a function applied to each message just before it is sent:
// the daemon fills in the current api_token (see WithToken). Call it
// before Run.
func (d *Deliverer) Prepare(f func(Message) Message) { d.prepare = f }

// Observe sets a function told of every delivery outcome ("sent", "retry"
// or "failed", for n rows of a channel): the daemon's metrics. Call it
// before Run.
func (d *Deliverer) Observe(f func(channel, outcome string, n int)) { d.observe = f }

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
			return
		case <-d.wake:
		case <-d.done:
		case <-tick:
		}
		d.wakes.Add(1)
		timer.Stop()
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
	// A second pass sends what the first one enqueued (failure notices).
	for pass := 0; pass < 2; pass++ {
		var wg sync.WaitGroup
		d.dispatch(ctx, &wg)
		wg.Wait()
	}
	return d.Counts()
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
	d.mu.Lock()
	for _, until := range d.blocked {
		if until.After(now) {
			wait = min(wait, until.Sub(now))
		}
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
	now := d.now()
	rows, err := d.out.Due(ctx, now)
	if err != nil {
		d.log.Error("read outbox", "err", err)
		return
	}
	byChannel := map[string][]journal.Delivery{}
	for _, r := range rows {
		byChannel[r.Channel] = append(byChannel[r.Channel], r)
	}
	for name, rs := range byChannel {
		if d.busy[name] || d.blocked[name].After(now) {
			continue
		}
		d.busy[name] = true
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

// message is one send: a row, or the rows of one digest batch.
type message struct {
	ids  []int64
	msg  Message
	rows []journal.Delivery
}

// group turns due rows into sends: digest rows of one run become one.
func group(rows []journal.Delivery) ([]message, error) {
	var out []message
	batches := map[int64]int{}
	for _, r := range rows {
		var m Message
		if err := json.Unmarshal(r.Message, &m); err != nil {
			return nil, fmt.Errorf("outbox row %d: %w", r.ID, err)
		}
		if r.Digest && r.Batch != 0 {
			if i, ok := batches[r.Batch]; ok {
				out[i].ids = append(out[i].ids, r.ID)
				out[i].rows = append(out[i].rows, r)
				continue
			}
			batches[r.Batch] = len(out)
		}
		out = append(out, message{ids: []int64{r.ID}, msg: m, rows: []journal.Delivery{r}})
	}
	for i := range out {
		if len(out[i].rows) > 1 {
			msgs := make([]Message, len(out[i].rows))
			for k, r := range out[i].rows {
				json.Unmarshal(r.Message, &msgs[k])
			}
			out[i].msg = Digest(msgs)
		}
	}
	return out, nil
}

// work sends one channel's due rows in order; a temporary failure stops the
// round and holds the channel back until its backoff is over.
func (d *Deliverer) work(ctx context.Context, name string, rows []journal.Delivery) {
	msgs, err := group(rows)
	if err != nil {
		d.log.Error("outbox", "channel", name, "err", err)
		return
	}
	ch := d.channels()[name]
	for _, m := range msgs {
		if ctx.Err() != nil {
			return
		}
		log := d.log.With("channel", name, "contact", m.rows[0].Contact, "kind", m.rows[0].Kind, "rows", len(m.ids))
		if ch == nil {
			d.fail(ctx, log, name, m, &Error{Channel: name, Msg: "the channel is no longer in the config"})
			continue
		}
		msg := m.msg
		if d.prepare != nil {
			msg = d.prepare(msg)
		}
		err := ch.Deliver(ctx, msg)
		if err != nil && ctx.Err() != nil {
			return // stopped mid-send: the row stays pending for the next start
		}
		now := d.now()
		if err == nil {
			if err := d.out.MarkSent(context.Background(), m.ids, now); err != nil {
				log.Error("record delivery", "err", err)
			}
			d.mu.Lock()
			d.counts.Sent += len(m.ids)
			delete(d.failing, name)
			d.mu.Unlock()
			d.outcome(name, "sent", len(m.ids))
			log.Info("delivered", "attempt", m.rows[0].Attempts+1)
			continue
		}
		if Retryable(err) {
			attempts := m.rows[0].Attempts + 1
			wait := Backoff(attempts, RetryAfter(err), rand.Float64())
			next := now.Add(wait)
			if err := d.out.MarkRetry(context.Background(), m.ids, next, describe(err)); err != nil {
				log.Error("record retry", "err", err)
			}
			d.mu.Lock()
			d.counts.Retried += len(m.ids)
			d.blocked[name] = next
			d.mu.Unlock()
			d.outcome(name, "retry", len(m.ids))
			log.Warn("delivery failed; will retry", "err", err, "attempt", attempts, "retry_in", wait.Round(time.Second))
			return
		}
		d.fail(ctx, log, name, m, err)
	}
}

// fail records a permanent failure and, the first time a channel fails,
// tells the user through their other channels.
func (d *Deliverer) fail(ctx context.Context, log *slog.Logger, name string, m message, err error) {
	if e := d.out.MarkFailed(context.Background(), m.ids, describe(err)); e != nil {
		log.Error("record failure", "err", e)
	}
	hint := ""
	var ne *Error
	if errors.As(err, &ne) {
		hint = ne.Hint
	}
	log.Error("delivery failed for good", "err", err, "hint", hint)
	d.mu.Lock()
	d.counts.Failed += len(m.ids)
	first := !d.failing[name]
	d.failing[name] = true
	d.mu.Unlock()
	d.outcome(name, "failed", len(m.ids))
	if !first {
		return
	}
	var others []string
	for other := range d.channels() {
		d.mu.Lock()
		ok := !d.failing[other] && !d.blocked[other].After(d.now())
		d.mu.Unlock()
		if other != name && ok {
			others = append(others, other)
		}
	}
	if len(others) == 0 {
		return
	}
	sort.Strings(others)
	notice := FailureNotice(name, err, m.msg.Title)
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
