package deliver

import (
	"context"

	"github.com/rekindle/rekindle/journal"
)

// The held records: what a channel accepted but the state file could not
// record is kept in memory and in a side file beside the state file
// (journal's HeldPath), so that neither a stop nor a crash sends it again,
// and recorded as soon as the state file takes it.

// start reads back, once, what the last process kept beside the state
// file because the state file refused it: those rows are never sent, and
// are recorded before anything else is. It then makes sure that file has
// its reserve, for a disk that fills up later.
func (d *Deliverer) start(ctx context.Context) {
	d.started.Do(func() {
		kept, err := d.Outbox.ReadHeld()
		if err != nil {
			d.Log.Error("cannot read what the last stop kept beside the state file; those reminders may be sent again", "err", err)
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
			d.Log.Info("found deliveries the state file could not record before the last stop; recording them, not sending them again", "rows", rows)
			d.flush(ctx)
		}
		if err := d.Outbox.ReserveHeld(); err != nil {
			d.Log.Warn("cannot set aside room beside the state file; should the disk fill up, a stop may forget what was sent and send it again", "err", err)
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
		d.Log.Warn("stopping with deliveries the state file could not record; they are kept beside it and recorded at the next start, not sent again",
			"rows", rows, "kept_in", d.Outbox.HeldPath())
	default:
		d.Log.Error("stopping with deliveries neither the state file nor the file beside it could record; the next start sends them again",
			"rows", rows)
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
			err = d.Outbox.MarkSent(ctx, m.IDs, m.Sent)
		} else {
			err = d.Outbox.MarkFailed(ctx, m.IDs, m.Why)
		}
		if err != nil {
			d.Log.Warn("the state file still cannot record deliveries; holding them", "pending_records", len(d.marks), "err", err)
			return
		}
		d.Log.Info("recorded deliveries held back", "channel", m.Channel, "rows", len(m.IDs))
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
	if err := d.Outbox.KeepHeld(d.marks); err != nil {
		d.kept = false
		if len(d.marks) > 0 {
			d.Log.Error("cannot keep unrecorded deliveries beside the state file either; should rekindle stop now, it sends them again",
				"err", err)
		}
		return
	}
	d.kept = true
}
