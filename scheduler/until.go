package scheduler

import (
	"context"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/rules"
)

// What follows says how long what Snapshot and Plan made stays true when
// nothing is logged and the config stays: the server keeps the API's list
// and the calendar feed until then (or until the journal or the config
// changes) instead of making them again for every request. Each bound errs
// early: an instant too soon costs one more evaluation, one too late would
// serve a stale answer.

// SnapshotUntil is Snapshot, and the first instant after t at which the
// statuses may read otherwise with the config and the journal as they are;
// t itself when they may change at any moment.
func SnapshotUntil(ctx context.Context, cfg *config.Config, st SnapshotStore, t time.Time) ([]Status, time.Time, error) {
	out, people, hist, err := snapshot(ctx, cfg, st, t)
	if err != nil {
		return nil, time.Time{}, err
	}
	return out, StatusesUntil(cfg, people, hist, t), nil
}

// StatusesUntil is the first instant after t at which the statuses of
// people (with their turns as queued at t) may read otherwise if nothing is
// logged and the config stays: the soonest of
//   - the next midnight, in the configured zone, the local one and UTC
//     (days counted in the reasons, "today" and "tomorrow", the queue's
//     day, the occasion of the year);
//   - the next run (the queue gives people not seen yet their turns as of
//     the next run);
//   - for each person, when their result changes (rules.Result.Wake), their
//     next reminder, the end of a snooze, their turn, and each event and
//     config date after t, which the rules ignore until it comes;
//   - for a reminder that went out, when it may come again, and when a
//     sending stamped ahead of the clock stops counting as ahead (Ahead).
//
// It is t itself when a status follows the clock: someone new with no turn
// is due "now", whatever now is.
func StatusesUntil(cfg *config.Config, people []Person, hist History, t time.Time) time.Time {
	t = t.In(cfg.Location)
	u := nextMidnight(t, cfg.Location)
	later := func(x time.Time) {
		if x.After(t) && x.Before(u) {
			u = x
		}
	}
	later(firstRun(cfg, t))
	for i := range people {
		p := &people[i]
		r := p.Evaluate(t)
		if r.Kind == rules.CheckIn && r.Last.IsZero() && p.Turn.IsZero() {
			return t
		}
		later(r.Wake)
		later(r.Next)
		later(r.Until)
		later(p.Turn)
		later(p.Dates.LastInteraction)
		later(p.Dates.Fallout)
		for _, at := range p.Dates.ReachedOut {
			later(at)
		}
		for j := range p.Events {
			later(p.Events[j].At)
			later(p.Events[j].Until)
		}
		if r.Kind != rules.None {
			if e, ok := hist.Lookup(identity(p, &r)); ok {
				later(e.Last.Add(-slack))
			}
			later(decideFrom(hist, p, &r, t).next)
		}
	}
	return u
}

// PlanUntil is the first instant after from at which a Plan from then over
// the same number of days (to from.AddDate(0, 0, days)), of people loaded
// by Load at from, may come out otherwise if nothing is logged and the
// config stays. The plan evaluates everyone at the runs in its window
// alone, so it changes when its first run leaves the window (Load queues
// new people as of it too) or the run after its end comes in; and Load's
// day is the queue's day.
func PlanUntil(cfg *config.Config, from time.Time, days int) time.Time {
	loc := cfg.Location
	from = from.In(loc)
	u := nextMidnight(from, loc)
	first := NextSlot(cfg.Schedule, from, loc)
	if first.IsZero() {
		return u // no run ever: the plan is empty
	}
	u = earlier(u, first)
	if after := NextSlot(cfg.Schedule, from.AddDate(0, 0, days), loc); !after.IsZero() {
		// The window's end reaches after when from reaches
		// after.AddDate(0, 0, -days), give or take a change of the
		// clocks in between: stepped back an hour at a time until its
		// window surely ends at or before after. (A fixed hour early
		// kept nothing for an hour of every day.)
		in := after.AddDate(0, 0, -days)
		for i := 0; i < 3 && in.AddDate(0, 0, days).After(after); i++ {
			in = in.Add(-time.Hour)
		}
		if !in.After(from) {
			return from
		}
		u = earlier(u, in)
	}
	return u
}

// nextMidnight is the first midnight after t in loc, the local zone and
// UTC, whichever comes first.
func nextMidnight(t time.Time, loc *time.Location) time.Time {
	var u time.Time
	for _, l := range []*time.Location{loc, time.Local, time.UTC} {
		y, m, d := t.In(l).Date()
		if n := time.Date(y, m, d+1, 0, 0, 0, 0, l); u.IsZero() || n.Before(u) {
			u = n
		}
	}
	return u
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
