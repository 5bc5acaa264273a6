package journal

import (
	"context"
	"sort"
	"time"
)

// Entry is one line of a history: a logged event or a delivery, exactly one
// of which is set.
type Entry struct {
	At       time.Time // the event's time; a delivery's sent time, else when it was enqueued
	Event    *Event
	Delivery *Delivery
}

// Timeline merges events and deliveries, for one contact or (contact "")
// everyone, newest first; limit <= 0 means all. It is the one history that
// `rekindle history` and the dashboard's person page show.
func (j *Journal) Timeline(ctx context.Context, contact string, limit int) ([]Entry, error) {
	events, err := j.History(ctx, contact, limit)
	if err != nil {
		return nil, err
	}
	deliveries, err := j.Deliveries(ctx, contact, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(events)+len(deliveries))
	for i := range events {
		out = append(out, Entry{At: events[i].At, Event: &events[i]})
	}
	for i := range deliveries {
		d := &deliveries[i]
		at := d.Created
		if d.State == Sent {
			at = d.Sent
		}
		out = append(out, Entry{At: at, Delivery: d})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].At.After(out[b].At) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
