package scheduler

import (
	"container/heap"
	"encoding/json"
	"sort"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/rules"
)

// Planned is one reminder Plan expects to deliver.
type Planned struct {
	At     time.Time // delivery time, after quiet hours
	ID     string
	Name   string
	Kind   rules.Kind
	Anchor time.Time
}

// MarshalJSON writes {"at", "id", "kind"} as DESIGN.md §6 has it.
func (p Planned) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		At   string `json:"at"`
		ID   string `json:"id"`
		Kind string `json:"kind"`
	}{p.At.Format(time.RFC3339), p.ID, string(p.Kind)})
}

// Plan simulates the scheduled runs strictly after from up to and including
// until, as the daemon would make them if nothing new were logged: the
// schedule, quiet hours, max_per_run (most overdue first) and remind_again
// all apply, and a let-be notice is sent once.
//
// Nothing being logged makes the simulation cheap: a person's result only
// changes at known instants (their next due date, or their next repeat), so
// each person waits in a queue keyed by that instant and is evaluated only
// when a run reaches it, and runs with nothing to do are skipped over.
func Plan(cfg *config.Config, people []Person, from, until time.Time) []Planned {
	loc := cfg.Location
	q := make(waitQueue, 0, len(people))
	for i := range people {
		q = append(q, waiting{at: from, person: i})
	}
	heap.Init(&q)
	var (
		out  []Planned
		pool []due // due now and not waiting for remind_again
	)
	slot := from
	for {
		after := slot
		if len(pool) == 0 {
			if len(q) == 0 {
				break
			}
			// Nothing due: jump to the run at or after the next change.
			if w := q[0].at.Add(-time.Nanosecond); w.After(after) {
				after = w
			}
		}
		slot = NextSlot(cfg.Schedule, after, loc)
		if slot.IsZero() || slot.After(until) {
			break
		}
		for len(q) > 0 && !q[0].at.After(slot) {
			w := heap.Pop(&q).(waiting)
			p := &people[w.person]
			r := p.Evaluate(slot)
			switch {
			case r.State != rules.Snoozed && r.IsDue(slot):
				pool = append(pool, due{person: w.person, result: r})
			case r.Kind != rules.None && r.Next.After(slot):
				heap.Push(&q, waiting{at: r.Next, person: w.person})
			}
		}
		if len(pool) == 0 {
			continue
		}
		for i := range pool {
			pool[i].rank = overdue(&people[pool[i].person], &pool[i].result, slot)
		}
		sort.SliceStable(pool, func(i, j int) bool { return pool[i].rank > pool[j].rank })
		n := len(pool)
		if cfg.MaxPerRun > 0 && n > cfg.MaxPerRun {
			n = cfg.MaxPerRun
		}
		at := DeliverAt(cfg.QuietHours, slot)
		for _, d := range pool[:n] {
			p := &people[d.person]
			out = append(out, Planned{At: at, ID: p.ID, Name: p.Name, Kind: d.result.Kind, Anchor: d.result.Anchor})
			again := p.Settings.RemindAgain
			if d.result.Kind != rules.LetBeNotice && !again.IsZero() {
				heap.Push(&q, waiting{at: again.After(at), person: d.person})
			}
		}
		pool = append(pool[:0], pool[n:]...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

type due struct {
	person int
	result rules.Result
	rank   float64
}

type waiting struct {
	at     time.Time
	person int
}

// waitQueue is a min-heap of people by the instant their result may change.
type waitQueue []waiting

func (q waitQueue) Len() int { return len(q) }
func (q waitQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].person < q[j].person
	}
	return q[i].at.Before(q[j].at)
}
func (q waitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *waitQueue) Push(x any)   { *q = append(*q, x.(waiting)) }
func (q *waitQueue) Pop() any {
	old := *q
	w := old[len(old)-1]
	*q = old[:len(old)-1]
	return w
}
