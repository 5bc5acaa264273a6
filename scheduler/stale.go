package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// StaleStore is what Stale reads.
type StaleStore interface {
	LoggedSince(ctx context.Context, t time.Time) (map[string]time.Time, error)
	EventsOf(ctx context.Context, contact string) ([]journal.Event, error)
}

// Staleness is Stale over the config of the moment, as the deliverer asks
// it (deliver.Staleness): a reminder waiting in the outbox, for quiet
// hours to end or a channel to come back, is cancelled when what was
// logged or learned since makes it no longer due. An error is logged, and
// finds nothing stale.
func Staleness(cfg func() *config.Config, st StaleStore, now func() time.Time, log *slog.Logger) func(context.Context, []journal.Delivery) map[int64]string {
	return func(ctx context.Context, rows []journal.Delivery) map[int64]string {
		stale, err := Stale(ctx, cfg(), st, rows, now())
		if err != nil {
			log.Error("check whether due reminders are still due", "err", err)
		}
		return stale
	}
}

// stampLead is how long before a row was created an event may be stamped
// and still be one the run that made the row did not read: a writer stamps
// its events when its transaction begins and commits them later (after a
// wait of up to the state file's busy timeout of 10 s for the lock, and
// the writing of thousands of events), while a run that began in between
// reads the events without them. Looking at the people of such events
// again costs an evaluation; missing them sends a reminder a reply ended.
const stampLead = time.Minute

// Stale finds the due outbox rows that are no longer due at now: something
// was logged or learned for their person after the row was enqueued, or
// stamped less than stampLead before (a
// reply that came by mail while the reminder waited for quiet hours to
// end, a talk, a snooze), and the person's reminder now is another one or
// none. It maps each such row to why. Only the people with events written
// since the oldest row (less stampLead) are evaluated again, so a large
// run costs one query.
func Stale(ctx context.Context, cfg *config.Config, st StaleStore, rows []journal.Delivery, now time.Time) (map[int64]string, error) {
	var oldest time.Time
	for _, r := range rows {
		if r.Kind != journal.ChannelFailed && (oldest.IsZero() || r.Created.Before(oldest)) {
			oldest = r.Created
		}
	}
	if oldest.IsZero() {
		return nil, nil
	}
	changed, err := st.LoggedSince(ctx, oldest.Add(-stampLead))
	if err != nil || len(changed) == 0 {
		return nil, err
	}
	now = now.In(cfg.Location)
	type verdict struct {
		id  journal.Identity
		due bool
		why string
	}
	seen := map[string]verdict{}
	out := map[int64]string{}
	for _, r := range rows {
		at, ok := changed[r.Contact]
		if !ok || !at.After(r.Created.Add(-stampLead)) || r.Kind == journal.ChannelFailed {
			continue
		}
		v, ok := seen[r.Contact]
		if !ok {
			c, known := cfg.Lookup(r.Contact)
			if !known {
				continue // gone from the config: the router cancels it
			}
			events, err := st.EventsOf(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			p := PersonOf(cfg, c, events)
			res := p.Evaluate(now)
			v = verdict{id: identity(&p, &res), due: res.Reminds(now), why: res.Reason(now)}
			seen[r.Contact] = v
		}
		if v.due && v.id == r.Identity.Key() {
			continue
		}
		out[r.ID] = "no longer due: " + v.why
	}
	return out, nil
}
