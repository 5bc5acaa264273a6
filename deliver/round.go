package deliver

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// work sends one channel's due rows in order, each through the stages of
// a round: read (group), send, then record (sent), retryLater or fail. A
// temporary failure stops the round and holds the whole channel back: 5 s
// doubling to 30 min with each failure in a row, whatever its queue
// length, and never sooner than the server asked (up to MaxRetryAfter).
func (d *Deliverer) work(ctx context.Context, name string, rows []journal.Delivery) {
	msgs, bad, errs := group(rows)
	d.unreadable(name, bad, errs)
	r := d.newRound(ctx, name, len(msgs))
	defer r.logBulk(true)
	defer r.record()
	for _, m := range msgs {
		if ctx.Err() != nil || !r.send(m) {
			return
		}
	}
}

// unreadable marks failed the rows whose message cannot be read. The row
// is broken, not the channel: marked failed once, with no notice that the
// channel fails.
func (d *Deliverer) unreadable(name string, bad []journal.Delivery, errs []error) {
	for i, r := range bad {
		why := fmt.Sprintf("the stored message cannot be read (%v); it was written by another version of rekindle or the state file is damaged (permanent)", errs[i])
		log := d.Log.With("channel", name, "contact", r.Contact, "kind", r.Kind, "row", r.ID)
		log.Error("an outbox row cannot be read; marked failed", "err", errs[i])
		d.markFailed(log, name, []int64{r.ID}, why)
	}
}

// round is one worker's pass over a channel's due messages.
//
// A channel that talks to a server records each message it accepted
// before the next one goes: a crash (kill -9) between the server's accept
// and the record repeats that one message, never more. The console,
// holding a round, records it in batches of at most recordRows rows or
// recordWait after the first: one commit (and fsync) for many lines, and a
// crash repeats at most one batch.
type round struct {
	d    *Deliverer
	ctx  context.Context
	name string
	ch   notifier.Channel
	// deliver and flush send through ch: in a round of many, a channel
	// that can hold what it delivers (the console) holds it until the
	// batch is recorded, and flushes first (held). A round of a few writes
	// each message as it goes, after its log line.
	deliver func(notifier.Channel, context.Context, compose.Message) error
	flush   func() error
	held    bool
	// bulk: a round of many sends (a run with no max_per_run) logs one
	// line per recordRows rows or recordWait, not one per message.
	bulk bool

	batch                []int64
	batchStart, lastSent time.Time
	unlogged             int
	logStart             time.Time
}

func (d *Deliverer) newRound(ctx context.Context, name string, n int) *round {
	r := &round{d: d, ctx: ctx, name: name, ch: d.Current()[name],
		deliver: notifier.Channel.Deliver, flush: func() error { return nil }, bulk: n > bulkRound}
	if h, ok := r.ch.(notifier.HeldChannel); ok && n > bulkRound {
		r.deliver = func(_ notifier.Channel, ctx context.Context, m compose.Message) error { return h.DeliverHeld(ctx, m) }
		r.flush, r.held = h.Flush, true
	}
	return r
}

// send sends one message and takes it to its next stage; false stops the
// round.
func (r *round) send(m message) bool {
	d, name := r.d, r.name
	// The logger with the row's attributes costs more than a send to the
	// console: made only when something goes wrong.
	log := func() *slog.Logger {
		return d.Log.With("channel", name, "contact", m.rows[0].Contact, "kind", m.rows[0].Kind, "rows", len(m.ids))
	}
	if r.ch == nil {
		if !r.record() {
			return false
		}
		d.fail(r.ctx, log(), name, m, &notifier.Error{Channel: name, Msg: "the channel is no longer in the config"})
		return true
	}
	m.msg.ID = deliveryID(m.rows)
	err := r.deliver(r.ch, r.ctx, m.msg)
	if err != nil && r.ctx.Err() != nil {
		return false // stopped mid-send: the row stays pending for the next start
	}
	now := d.now()
	if err == nil {
		return r.sent(m, now)
	}
	if !r.record() {
		return false
	}
	if notifier.Retryable(err) {
		d.retryLater(log(), name, m.ids, now, err)
		return false
	}
	d.fail(r.ctx, log(), name, m, err)
	return true
}

// sent counts a message the channel accepted and records it, at once or
// with its batch; false stops the round.
func (r *round) sent(m message, now time.Time) bool {
	d, name := r.d, r.name
	if len(r.batch) == 0 {
		r.batchStart = now
	}
	r.batch, r.lastSent = append(r.batch, m.ids...), now
	d.outcome(name, "sent", len(m.ids))
	d.mu.Lock()
	d.counts.Sent += len(m.ids)
	delete(d.failing, name)
	delete(d.streak, name)
	delete(d.asked, name)
	d.mu.Unlock()
	if !r.held || len(r.batch) >= recordRows || now.Sub(r.batchStart) >= recordWait {
		if !r.record() {
			return false
		}
	}
	if !r.bulk {
		d.Log.Info("delivered", "channel", name, "contact", m.rows[0].Contact, "kind", m.rows[0].Kind, "rows", len(m.ids),
			"attempt", m.rows[0].Attempts+1)
	}
	return true
}

// record marks the batch sent in the state file; false stops the round.
func (r *round) record() bool {
	d, name := r.d, r.name
	if len(r.batch) == 0 {
		return true
	}
	ids := r.batch
	r.batch = nil
	if err := r.flush(); err != nil {
		// How much of the batch got out is not known: all of it is tried
		// again, later. (The counts are put right; the metrics' "sent"
		// counter, which only goes up, keeps these rows.)
		d.mu.Lock()
		d.counts.Sent -= len(ids)
		d.mu.Unlock()
		d.retryLater(d.Log.With("channel", name, "rows", len(ids)), name, ids, d.now(), err)
		return false
	}
	err := d.Outbox.MarkSent(context.Background(), ids, r.lastSent)
	if err == nil {
		if r.bulk {
			if r.unlogged == 0 {
				r.logStart = d.now()
			}
			r.unlogged += len(ids)
			r.logBulk(false)
		}
		return true
	}
	// The server has them; the state file does not know. Never send them
	// again, stop the channel and back off; flush records them once writes
	// work again.
	d.mu.Lock()
	d.hold(journal.Held{Channel: name, IDs: ids, Sent: r.lastSent})
	d.streak[name]++
	wait := backoff(d.streak[name], 0, rand.Float64())
	d.blocked[name] = d.now().Add(wait)
	d.mu.Unlock()
	d.Log.Error("delivered, but the state file could not record it; keeping the record aside and pausing the channel",
		"channel", name, "rows", len(ids), "err", err, "retry_in", wait.Round(time.Second))
	return false
}

// logBulk writes a bulk round's log line when enough was recorded since
// the last, or at the end (force).
func (r *round) logBulk(force bool) {
	if r.unlogged > 0 && (force || r.unlogged >= recordRows || r.d.now().Sub(r.logStart) >= recordWait) {
		r.d.Log.Info("delivered", "channel", r.name, "rows", r.unlogged)
		r.unlogged = 0
	}
}
