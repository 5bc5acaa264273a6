package scheduler

import (
	"encoding/json"
	"iter"
	"math"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
)

// Planned is one reminder Plan expects to deliver.
type Planned struct {
	At      time.Time // delivery time, after quiet hours
	Contact *config.Contact
	Kind    rules.Kind
	Slot    time.Time    // the run that decides it
	Result  rules.Result // the facts behind it at Slot: anchor, reason, occasion
}

// Occasion is the name of the occasion an occasion reminder is for, and
// its day; "" for another kind.
func (p *Planned) Occasion() (string, time.Time) {
	if p.Kind != rules.OccasionKind {
		return "", time.Time{}
	}
	return p.Result.Occasion.Name, p.Result.OccasionDay
}

// MarshalJSON writes {"at", "id", "kind"} as docs/commands.md has it, and
// "occasion" and "date" for an occasion.
func (p Planned) MarshalJSON() ([]byte, error) {
	name, day := p.Occasion()
	date := ""
	if name != "" {
		date = day.Format(time.DateOnly)
	}
	return json.Marshal(struct {
		At       string `json:"at"`
		ID       string `json:"id"`
		Kind     string `json:"kind"`
		Occasion string `json:"occasion,omitempty"`
		Date     string `json:"date,omitempty"`
	}{p.At.Format(time.RFC3339), p.Contact.ID, string(p.Kind), name, date})
}

// Plan simulates the scheduled runs strictly after from up to and including
// until, as the daemon would make them if nothing new were logged: the
// schedule, quiet hours, max_per_run (in rank order, rankKey), remind_again
// and max_reminders all apply, and a let-be notice is sent once.
//
// Nothing being logged makes the simulation cheap: a person's result only
// changes at known instants (their next due date, or their next repeat), so
// each person waits in a queue keyed by that instant and is evaluated only
// when a run reaches it, and runs with nothing to do are skipped over.
//
// The reminders come in delivery order as an iterator, so a long plan can be
// written out as it is made.
//
// hist is the outbox's record of what went out already (nil: nothing), so
// that a reminder sent yesterday is not planned again before remind_again.
func Plan(cfg *config.Config, people []Person, hist map[journal.Identity]journal.Enqueued, from, until time.Time) iter.Seq[Planned] {
	return func(yield func(Planned) bool) { plan(cfg, people, hist, from, until, yield) }
}

func plan(cfg *config.Config, people []Person, hist map[journal.Identity]journal.Enqueued, from, until time.Time, yield func(Planned) bool) {
	loc := cfg.Location
	q := make(waitQueue, 0, len(people))
	for i := range people {
		q.push(from, i) // in order, so already a heap
	}
	pool := newDuePool() // due now and not waiting for remind_again
	results := make([]rules.Result, len(people))
	// What the plan sends joins what went out already, as the outbox
	// records it for the daemon: a reminder once sent is not sent again
	// (before remind_again) when its person comes back to it, after an
	// occasion for one.
	sent := planSent{hist: hist, by: make([][]sentReminder, len(people))}
	slot := from
	for {
		after := slot
		if pool.n == 0 {
			if len(q) == 0 {
				break
			}
			// Nothing due: jump to the run at or after the next change.
			if w := time.Unix(0, q[0].at-1); w.After(after) {
				after = w
			}
		}
		slot = NextSlot(cfg.Schedule, after, loc)
		if slot.IsZero() || slot.After(until) {
			break
		}
		for len(q) > 0 && q[0].at <= slot.UnixNano() {
			w := q.pop()
			p := &people[w.person]
			r := p.Evaluate(slot)
			switch {
			case r.Reminds(slot):
				e, seen := sent.lookup(w.person, p, &r)
				if d := decide(e, seen, p, &r, slot); d.send {
					results[w.person] = r
					pool.add(p, &r, d.sent, w.person)
				} else if next := rules.Earliest(d.next, r.Wake); !next.IsZero() {
					q.push(next, w.person) // a repeat, or an occasion first
				}
			case !r.Wake.IsZero():
				q.push(r.Wake, w.person)
			}
		}
		if pool.n == 0 {
			continue
		}
		// deliverTime never goes back in time as slots go forward, so the
		// reminders come in time order.
		at := deliverTime(cfg.QuietHours, slot)
		for _, person := range pool.take(slot, cfg.MaxPerRun) {
			p, r := &people[person], &results[person]
			if !yield(Planned{At: at, Contact: p.Contact, Kind: r.Kind, Slot: slot, Result: *r}) {
				return
			}
			// A repeat counts from the run, as the outbox's created time
			// does for the daemon: decide says when, if ever.
			e := sent.record(person, p, r, slot)
			d := decide(e, true, p, r, slot)
			if next := rules.Earliest(d.next, r.Wake); !next.IsZero() {
				q.push(next, person)
			}
		}
	}
}

// planSent is what went out before the plan (hist) and what the plan has
// sent since. The plan's own are kept per person in a short list (a
// reminder per episode, and nothing is logged in a plan to open another),
// which is far cheaper than a map of identities for a plan of a million
// reminders.
type planSent struct {
	hist map[journal.Identity]journal.Enqueued
	by   [][]sentReminder // by person
}

type sentReminder struct {
	kind   rules.Kind
	anchor int64 // Unix ns
	e      journal.Enqueued
}

func (s *planSent) lookup(person int, p *Person, r *rules.Result) (journal.Enqueued, bool) {
	for _, x := range s.by[person] {
		if x.kind == r.Kind && x.anchor == r.Anchor.UnixNano() {
			return x.e, true
		}
	}
	if s.hist == nil {
		return journal.Enqueued{}, false
	}
	e, ok := s.hist[identity(p, r)]
	return e, ok
}

// record notes that the plan sent r at at, and returns the record now.
func (s *planSent) record(person int, p *Person, r *rules.Result, at time.Time) journal.Enqueued {
	list := s.by[person]
	for i := range list {
		if list[i].kind == r.Kind && list[i].anchor == r.Anchor.UnixNano() {
			list[i].e = journal.Enqueued{Last: at, Repeats: list[i].e.Repeats + 1}
			return list[i].e
		}
	}
	prev, _ := s.lookup(person, p, r)
	e := journal.Enqueued{Last: at, Repeats: prev.Repeats + 1}
	s.by[person] = append(list, sentReminder{kind: r.Kind, anchor: r.Anchor.UnixNano(), e: e})
	return e
}

// duePool holds the people due at a run and not yet reminded, and gives
// them in rank order (rankKey), as choose orders them. Within one tier and
// one rankUnit the order never changes as time goes on (the earliest
// rankAt first), so there is one heap per tier and unit, and picking k
// people looks at the heads of the few heaps, not at everyone due.
type duePool struct {
	keys   []poolKey
	groups map[poolKey]*waitQueue
	n      int
}

type poolKey struct {
	tier int
	unit time.Duration
}

func newDuePool() *duePool { return &duePool{groups: map[poolKey]*waitQueue{}} }

// add puts person in the pool with their due result r, sent times before.
func (d *duePool) add(p *Person, r *rules.Result, sent, person int) {
	k := poolKey{tierOf(r, sent), rankUnit(p, r)}
	g := d.groups[k]
	if g == nil {
		g = &waitQueue{}
		d.groups[k] = g
		d.keys = append(d.keys, k)
	}
	*g = append(*g, waiting{at: rankAt(p, r), person: person})
	g.up()
	d.n++
}

// take removes and returns up to max people (0: all), in rank order at t.
func (d *duePool) take(t time.Time, max int) []int {
	var out []int
	for d.n > 0 && (max <= 0 || len(out) < max) {
		var best *waitQueue
		var bestKey rankKey
		bestPerson := -1
		for _, k := range d.keys {
			g := d.groups[k]
			if len(*g) == 0 {
				continue
			}
			head := (*g)[0]
			key := rankKey{tier: k.tier, rank: math.Inf(1), at: head.at}
			if k.unit != 0 {
				key.rank = float64(t.UnixNano()-head.at) / float64(k.unit)
			}
			if c := key.compare(bestKey); best == nil || c < 0 || c == 0 && head.person < bestPerson {
				best, bestKey, bestPerson = g, key, head.person
			}
		}
		out = append(out, best.pop().person)
		d.n--
	}
	return out
}

// waiting is a person and the instant (Unix ns) their result may change.
type waiting struct {
	at     int64
	person int
}

// waitQueue is a min-heap of waiting people, earliest first; ties go to
// the person listed first in the config.
type waitQueue []waiting

func (q waitQueue) less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].person < q[j].person
}

func (q *waitQueue) push(at time.Time, person int) {
	*q = append(*q, waiting{at: at.UnixNano(), person: person})
	q.up()
}

// up moves the last element up to its place.
func (q *waitQueue) up() {
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (q *waitQueue) pop() waiting {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
