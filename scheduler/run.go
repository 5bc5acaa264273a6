package scheduler

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
)

// Store is what a run needs of the journal.
type Store interface {
	Events(ctx context.Context) (map[string][]journal.Event, error)
	Reminders(ctx context.Context, due []journal.Identity) (*journal.Reminders, error)
	EnqueueChunks(ctx context.Context, run journal.Run, chunks iter.Seq2[[]journal.Row, error]) (int, error)
	SeenStore
}

var _ Store = (*journal.Journal)(nil)

// Result counts what one run did.
type Result struct {
	Due      int                // people due (not counting those waiting for remind_again)
	Reminded int                // people reminded about (max_per_run applied)
	Enqueued int                // outbox rows written (people × channels)
	Deferred int                // rows held back by quiet hours
	Waiting  int                // due, but waiting for a repeat or reminded max_reminders times
	Kinds    map[rules.Kind]int // people reminded about, by reminder kind
}

// identity is a reminder's identity as the outbox keys it.
func identity(p *Person, r *rules.Result) journal.Identity {
	return journal.Identity{Contact: p.ID, Kind: string(r.Kind), Anchor: r.Anchor}.Key()
}

// decision is what a run may do at t about a person's due reminder, given
// the outbox's record of it. It is the one place that decides repeats:
// the daemon, plan, status and the calendar feed all ask decide.
type decision struct {
	send bool      // it may go out now
	next time.Time // if not, when it may; zero: not again in this episode
	sent int       // times it went out already (0: never)
	last time.Time // when it last went out, in t's zone
}

// decide applies remind_again and max_reminders (rules.Settings.RepeatAfter)
// to a due reminder; seen is false when it never went out. An occasion comes
// once, and its person's result changes at its day's end; a first hello to
// someone with no interaction on record comes once.
func decide(e journal.Enqueued, seen bool, p *Person, r *rules.Result, t time.Time) decision {
	if !seen {
		return decision{send: true}
	}
	if Ahead(e.Last, t) {
		// It went out in a run made while the clock was ahead: when it
		// really did is not known, and counting remind_again from that
		// date would silence the person until then. It goes again now,
		// once; the repeat is dated right.
		return decision{send: true, sent: e.Repeats, last: e.Last.In(t.Location())}
	}
	// Calendar days count in the configured zone, which t is in.
	d := decision{sent: e.Repeats, last: e.Last.In(t.Location())}
	if r.Kind == rules.OccasionKind {
		d.next = r.Wake
		return d
	}
	if r.Kind == rules.CheckIn && r.Last.IsZero() {
		// A hello to someone new comes once: the queue of new people
		// lets new_people_per_day through a day, and repeats would bring
		// an import back in waves.
		return d
	}
	next := p.Settings.RepeatAfter(r.Kind, e.Repeats, d.last)
	if next.IsZero() || next.After(t) {
		d.next = next
		return d
	}
	d.send = true
	return d
}

// History is the outbox's record of what went out, as decide reads it:
// journal.Reminders, or (for a plan) the whole record in a map.
type History interface {
	Lookup(journal.Identity) (journal.Enqueued, bool)
}

var _ History = (*journal.Reminders)(nil)

// recorded is a History held whole in a map (journal.Reminded's).
type recorded map[journal.Identity]journal.Enqueued

func (r recorded) Lookup(id journal.Identity) (journal.Enqueued, bool) {
	e, ok := r[id]
	return e, ok
}

// decideFrom is decide with the outbox's record (nil: nothing went out).
func decideFrom(hist History, p *Person, r *rules.Result, t time.Time) decision {
	var e journal.Enqueued
	seen := false
	if hist != nil {
		e, seen = hist.Lookup(identity(p, r))
	}
	return decide(e, seen, p, r, t)
}

// candidate is a person due for a reminder at a run; their rules.Result
// waits in a slice indexed by person, so that sorting moves little.
type candidate struct {
	person int
	repeat int
	key    rankKey
}

// choose orders candidates by rank (rankOf), in place, and returns the
// first max (0: all). Plan's duePool keeps the same order.
func choose(people []Person, results []rules.Result, cands []candidate, t time.Time, max int) []candidate {
	for i := range cands {
		c := &cands[i]
		c.key = rankOf(&people[c.person], &results[c.person], c.repeat, t)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(a.key.compare(b.key), cmp.Compare(a.person, b.person))
	})
	if max > 0 && len(cands) > max {
		cands = cands[:max]
	}
	return cands
}

// composeChunk is how many reminders are composed at a time while the
// ones before are written.
const composeChunk = 4096

// RunOnce is one scheduled run at now, standing for slot: it evaluates
// everyone, keeps those due whose reminder has not gone out (or is due again
// after remind_again, up to max_reminders), takes the first up to
// max_per_run in rank order (rankOf), renders
// their messages and writes every reminder × channel to the outbox in one
// transaction, with the run itself. Nothing is sent here.
func RunOnce(ctx context.Context, cfg *config.Config, tmpl *compose.Templates, st Store, slot, now time.Time) (Result, error) {
	var res Result
	now = now.In(cfg.Location)
	events, err := st.Events(ctx)
	if err != nil {
		return res, err
	}
	seen, err := st.SeenPeople(ctx)
	if err != nil {
		return res, err
	}
	people := People(cfg, events)
	fresh := queue(cfg, people, seen, now, true)
	// Who is due comes first; then the outbox's record of just their
	// reminders is read (Reminders), and decides.
	results := make([]rules.Result, len(people))
	var due []int
	var ids []journal.Identity
	for i := range people {
		p := &people[i]
		r := p.Evaluate(now)
		if !r.Reminds(now) {
			continue
		}
		results[i] = r
		due = append(due, i)
		ids = append(ids, identity(p, &r))
	}
	hist, err := st.Reminders(ctx, ids)
	if err != nil {
		return res, err
	}
	var cands []candidate
	for _, i := range due {
		p := &people[i]
		d := decideFrom(hist, p, &results[i], now)
		if !d.send {
			res.Waiting++
			continue
		}
		cands = append(cands, candidate{person: i, repeat: d.sent})
	}
	if err := hist.Err(); err != nil {
		return res, err
	}
	res.Due = len(cands)
	cands = choose(people, results, cands, now, cfg.MaxPerRun)
	res.Reminded = len(cands)
	res.Kinds = map[rules.Kind]int{}
	for _, c := range cands {
		res.Kinds[results[c.person].Kind]++
	}

	deliverAt := deliverTime(cfg.QuietHours, now)
	if deliverAt.After(now) {
		for _, c := range cands {
			res.Deferred += len(people[c.person].Channels)
		}
	}
	// The messages are composed a chunk at a time while the chunk before
	// is written: on a run of many reminders, composing and writing overlap.
	// Each chunk's reminders are made for it, in one buffer: a copy of
	// every result at once (45 MB at 100,000 due) was live heap that each
	// collection during the writes walked again.
	chunks := func(yield func([]journal.Row, error) bool) {
		type chunk struct {
			rows []journal.Row
			err  error
		}
		made := make(chan chunk, 1)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(made)
			reminders := make([]compose.Reminder, 0, min(composeChunk, len(cands)))
			for lo := 0; lo < len(cands); lo += composeChunk {
				hi := min(lo+composeChunk, len(cands))
				reminders = reminders[:0]
				for _, c := range cands[lo:hi] {
					reminders = append(reminders, compose.Reminder{Contact: people[c.person].Contact, Result: results[c.person], At: now})
				}
				msgs, err := compose.All(cfg, tmpl, reminders)
				var rows []journal.Row
				for i, c := range cands[lo:hi] {
					p := &people[c.person]
					for _, ch := range p.Channels {
						rows = append(rows, journal.Row{
							Identity: identity(p, &results[c.person]), Repeat: c.repeat, Channel: ch,
							Digest: cfg.Digest, Message: msgs[i], NotBefore: deliverAt,
						})
					}
				}
				select {
				case made <- chunk{rows, err}:
				case <-stop:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for c := range made {
			if !yield(c.rows, c.err) {
				return
			}
		}
	}
	n, err := st.EnqueueChunks(ctx, journal.Run{Slot: slot, Started: now, Finished: now, Due: res.Due, Seen: fresh}, chunks)
	if err != nil {
		return res, err
	}
	res.Enqueued = n
	return res, nil
}
