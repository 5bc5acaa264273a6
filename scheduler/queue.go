package scheduler

import (
	"context"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// The queue of new people (docs/rules.md, "People without a date"): someone
// with no last_interaction is due at once when they come alone, but an
// import of hundreds must not make them all due on one morning. The run
// that first sees a person records the day, and gives each one without a
// date a turn: the first day from then with room, new_people_per_day at
// most a day, in config order, behind those already queued. The turns are
// kept in the state file, so a restart or a reload does not reshuffle
// them; people not yet seen get theirs as the next run would give them.
// Only a run records (RunOnce, in the transaction of the run): status, plan
// and the API read.

// SeenStore is what the queue reads of the journal.
type SeenStore interface {
	SeenPeople(ctx context.Context) (map[string]journal.Seen, error)
}

var _ SeenStore = (*journal.Journal)(nil)

// turns gives every contact of cfg without a last_interaction their turn
// (midnight of its day; zero for the others), from what the state file
// keeps (seen) and, for people not seen before, as a run at at would give
// them. fresh, when record is set, is what such a run records: everyone it
// sees first.
func turns(cfg *config.Config, seen map[string]journal.Seen, at time.Time, record bool) (turn []time.Time, fresh map[string]journal.Seen) {
	loc := cfg.Location
	turn = make([]time.Time, len(cfg.Contacts))
	taken := map[string]int{} // queued people by turn day
	days := map[string]time.Time{}
	for _, s := range seen {
		if s.Turn != "" {
			taken[s.Turn]++
		}
	}
	at = at.In(loc)
	today := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	next := today // the first day that may have room
	for i := range cfg.Contacts {
		c := &cfg.Contacts[i]
		s, ok := seen[c.ID]
		if !ok {
			if fresh == nil && record {
				fresh = map[string]journal.Seen{}
			}
			s = journal.Seen{First: at}
			if c.Dates.LastInteraction.IsZero() {
				for cfg.NewPerDay > 0 && taken[next.Format(time.DateOnly)] >= cfg.NewPerDay {
					next = next.AddDate(0, 0, 1)
				}
				s.Turn = next.Format(time.DateOnly)
				taken[s.Turn]++
			}
			if record {
				fresh[c.ID] = s
			}
		}
		if s.Turn == "" || !c.Dates.LastInteraction.IsZero() {
			continue
		}
		d, ok := days[s.Turn]
		if !ok {
			var err error
			if d, err = time.ParseInLocation(time.DateOnly, s.Turn, loc); err != nil {
				d = today // not written by rekindle: at once
			}
			days[s.Turn] = d
		}
		turn[i] = d
	}
	return turn, fresh
}

// queue sets each person's Turn (people are cfg's contacts, in order) and,
// when record is set, returns the people seen for the first time by a run
// at at.
func queue(cfg *config.Config, people []Person, seen map[string]journal.Seen, at time.Time, record bool) map[string]journal.Seen {
	turn, fresh := turns(cfg, seen, at, record)
	for i := range people {
		people[i].Turn = turn[i]
	}
	return fresh
}

// firstRun is when the people not seen yet will be: at the next run after
// t (t itself when the schedule has none).
func firstRun(cfg *config.Config, t time.Time) time.Time {
	if next := NextSlot(cfg.Schedule, t, cfg.Location); !next.IsZero() {
		return next
	}
	return t
}
