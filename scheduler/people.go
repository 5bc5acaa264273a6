package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/split"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
	"github.com/rekindle/rekindle/rules"
)

// Person is a contact with the journal events the rules need, in the
// configured zone.
type Person struct {
	*config.Contact
	Events []rules.Event
	// Turn is the day a person with no interaction on record comes out of
	// the queue of new people (Queue); zero: at once.
	Turn time.Time
	// Planned are the meetings to come with them in a calendar, which may
	// hold a check-in (rules.Contact.Planned).
	Planned []rules.Meeting
}

var eventKinds = map[journal.Kind]rules.EventKind{
	journal.Talked:     rules.Talked,
	journal.Replied:    rules.Replied,
	journal.ReachedOut: rules.ReachedOut,
	journal.Fallout:    rules.Fallout,
	journal.Snooze:     rules.Snooze,
	journal.LetBe:      rules.LetBeEvent,
	journal.Resume:     rules.Resume,
}

// People joins the config's contacts with their journal events. Events of
// ids that are no longer in the config are left out.
func People(cfg *config.Config, events map[string][]journal.Event) []Person {
	out := make([]Person, len(cfg.Contacts))
	for i := range cfg.Contacts {
		c := &cfg.Contacts[i]
		out[i].Contact = c
		evs := events[c.ID]
		if len(evs) == 0 {
			continue
		}
		re := make([]rules.Event, 0, len(evs))
		for _, e := range evs {
			if e.Kind == journal.Planned {
				out[i].Planned = append(out[i].Planned, rules.Meeting{Start: e.At.In(cfg.Location), End: e.Until.In(cfg.Location)})
				continue
			}
			k, ok := eventKinds[e.Kind]
			if !ok {
				continue
			}
			re = append(re, rules.Event{Kind: k, At: e.At.In(cfg.Location), Until: inZone(e.Until, cfg.Location), Via: via(e.Source)})
		}
		out[i].Events = re
	}
	return out
}

// PersonOf is People for one contact, given that contact's events.
func PersonOf(cfg *config.Config, c *config.Contact, events []journal.Event) Person {
	one := &config.Config{Contacts: []config.Contact{*c}, Location: cfg.Location}
	p := People(one, map[string][]journal.Event{c.ID: events})[0]
	p.Contact = c
	return p
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// Evaluate applies the rules to p at t.
func (p *Person) Evaluate(t time.Time) rules.Result {
	if p.Turn.IsZero() && len(p.Planned) == 0 {
		return rules.Evaluate(p.Settings, &p.Dates, p.Events, t)
	}
	c := p.Dates
	c.Turn, c.Planned = p.Turn, p.Planned
	return rules.Evaluate(p.Settings, &c, p.Events, t)
}

// Redundant says why logging a decision (let-be or resume) for c at t
// would change nothing, or "" when it would: a second let-be, or a resume
// with nothing to end, is not logged. Other kinds always change something.
// The command line and the API both ask it.
func Redundant(ctx context.Context, cfg *config.Config, st StatusStore, c *config.Contact, kind journal.Kind, t time.Time) (string, error) {
	if kind != journal.LetBe && kind != journal.Resume {
		return "", nil
	}
	events, err := st.EventsOf(ctx, c.ID)
	if err != nil {
		return "", err
	}
	p := PersonOf(cfg, c, events)
	return p.redundant(kind, t), nil
}

func (p *Person) redundant(kind journal.Kind, t time.Time) string {
	r := p.Evaluate(t)
	explicit := r.State == rules.LetBe && !r.Since.IsZero()
	switch kind {
	case journal.LetBe:
		if explicit {
			return fmt.Sprintf("%s is already let be (since %s); nothing logged", p.Name, r.Since.In(t.Location()).Format("2006-01-02"))
		}
	case journal.Resume:
		switch {
		case explicit, r.State == rules.Snoozed:
		case r.State == rules.LetBe:
			return fmt.Sprintf("%s is let be because %d messages went unanswered, not by a decision of yours; that ends when they reply (log replied); nothing logged", p.Name, r.Unanswered)
		default:
			return fmt.Sprintf("%s is not snoozed or let be; nothing to resume, nothing logged", p.Name)
		}
	}
	return ""
}

// Status is one line of `rekindle status`: a person's state at an instant.
type Status struct {
	ID              string
	Name            string
	State           rules.State
	Kind            rules.Kind // the reminder due now; None unless one is
	LastInteraction time.Time  // zero when none is known
	Next            time.Time  // when the next reminder becomes due; zero when none will
	Reason          string
	Anchor          time.Time // opened the episode: with ID and Kind, the reminder's identity
	Failed          []string  // channels that failed for good on the reminder due now
	// The occasion due now, else the next to come: its name, its day this
	// time (zero: the person has none) and the years it makes then (0:
	// the year is not known).
	Occasion    string
	OccasionDay time.Time
	Years       int
	// LastRunAhead is the date of the daemon's last run when that is
	// after now (the clock was ahead when it ran), as `status` found it;
	// zero otherwise, and then left out of the JSON.
	LastRunAhead time.Time
}

// evaluateAll evaluates everyone at t, in config order. hist is the outbox's
// record (nil: nothing sent yet): a due reminder that went out already
// shows when it may come again, or no next reminder at all. Large lists
// are split over the available cores: explaining each person is the costly
// part.
func evaluateAll(people []Person, hist History, t time.Time) []Status {
	out := make([]Status, len(people))
	split.Ranges(len(people), 4096, func(lo, hi int) { statuses(people[lo:hi], hist, out[lo:hi], t) })
	return out
}

func statuses(people []Person, hist History, out []Status, t time.Time) {
	for i := range people {
		p := &people[i]
		r := p.Evaluate(t)
		s := Status{
			ID: p.ID, Name: p.Name, State: r.State,
			LastInteraction: r.Last, Next: r.Next, Reason: r.Reason(t),
			Occasion: r.Occasion.Name, OccasionDay: r.OccasionDay, Years: r.Years(),
		}
		if r.Reminds(t) {
			s.Kind, s.Anchor = r.Kind, r.Anchor
			if d := decideFrom(hist, p, &r, t); !d.send {
				s.Next = d.next
				s.Reason += remindedWords(&r, d)
			}
		}
		out[i] = s
	}
}

// remindedWords says how often a due reminder went out and whether it
// comes again: "; reminded on 2026-12-01, again from 2026-12-04", or
// "; reminded 3 times, the last on 2026-12-10; no more reminders until
// something is logged".
func remindedWords(r *rules.Result, d decision) string {
	last := d.last.Format("2006-01-02")
	times := "; reminded on " + last
	if d.sent > 1 {
		times = "; reminded " + strconv.Itoa(d.sent) + " times, the last on " + last
	}
	switch {
	case r.Kind == rules.OccasionKind:
		return times
	case d.next.IsZero() && d.sent > 1:
		return times + "; no more reminders until something is logged"
	case d.next.IsZero():
		return times + ", not again"
	}
	return times + ", again from " + d.next.Format("2006-01-02")
}

// addFailures says in each reason when the reminder due now could not be
// delivered through a channel, for good or for now.
func addFailures(st []Status, failed []journal.Delivery, loc *time.Location) {
	if len(failed) == 0 {
		return
	}
	byID := map[journal.Identity][]journal.Delivery{}
	for _, f := range failed {
		byID[f.Identity.Key()] = append(byID[f.Identity.Key()], f)
	}
	for i := range st {
		s := &st[i]
		if s.Kind == rules.None {
			continue
		}
		for _, f := range byID[statusIdentity(s)] {
			if f.State == journal.Pending {
				s.Reason += "; delivery to " + f.Channel + " failed for now, next try " +
					f.NextTry.In(loc).Format("2006-01-02 15:04") + ": " + f.LastError
				continue
			}
			s.Reason += "; delivery to " + f.Channel + " failed: " + f.LastError
			s.Failed = append(s.Failed, f.Channel)
		}
	}
}

// SnapshotStore is what Snapshot reads.
type SnapshotStore interface {
	Events(ctx context.Context) (map[string][]journal.Event, error)
	Reminders(ctx context.Context, due []journal.Identity) (*journal.Reminders, error)
	FailuresFor(ctx context.Context, due []journal.Identity) ([]journal.Delivery, error)
	SeenStore
}

// Snapshot is everyone's status at t, with what was sent and what failed:
// what `status` prints and the API serves.
func Snapshot(ctx context.Context, cfg *config.Config, st SnapshotStore, t time.Time) ([]Status, error) {
	out, _, _, err := snapshot(ctx, cfg, st, t)
	return out, err
}

// snapshot is Snapshot, with the people it evaluated and the outbox's
// record of the reminders due (what SnapshotUntil bounds it by).
func snapshot(ctx context.Context, cfg *config.Config, st SnapshotStore, t time.Time) ([]Status, []Person, History, error) {
	events, err := st.Events(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	seen, err := st.SeenPeople(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	people := People(cfg, events)
	queue(cfg, people, seen, firstRun(cfg, t), false)
	t = t.In(cfg.Location)
	// Everyone as if nothing had gone out; then the outbox's record of the
	// reminders due now is read, and those it has are told again with it.
	out := evaluateAll(people, nil, t)
	var due []journal.Identity
	for i := range out {
		if out[i].Kind != rules.None {
			due = append(due, statusIdentity(&out[i]))
		}
	}
	hist, err := st.Reminders(ctx, due)
	if err != nil {
		return nil, nil, nil, err
	}
	failed, err := st.FailuresFor(ctx, due)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range out {
		if out[i].Kind == rules.None {
			continue
		}
		if _, ok := hist.Lookup(statusIdentity(&out[i])); ok {
			statuses(people[i:i+1], hist, out[i:i+1], t)
		}
	}
	if err := hist.Err(); err != nil {
		return nil, nil, nil, err
	}
	addFailures(out, failed, cfg.Location)
	return out, people, hist, nil
}

// statusIdentity is the identity of the reminder due in s.
func statusIdentity(s *Status) journal.Identity {
	return journal.Identity{Contact: s.ID, Kind: string(s.Kind), Anchor: s.Anchor}.Key()
}

// StatusStore is what StatusOf reads: one contact's share of the journal.
type StatusStore interface {
	EventsOf(ctx context.Context, contact string) ([]journal.Event, error)
	RemindersOf(ctx context.Context, contact string) (*journal.Reminders, error)
	FailuresOf(ctx context.Context, contact string) ([]journal.Delivery, error)
	SeenStore
}

var _ StatusStore = (*journal.Journal)(nil)

// StatusOf is one person's status at t, as Snapshot has it, read from that
// person's events and deliveries alone.
func StatusOf(ctx context.Context, cfg *config.Config, st StatusStore, c *config.Contact, t time.Time) (Status, error) {
	events, err := st.EventsOf(ctx, c.ID)
	if err != nil {
		return Status{}, err
	}
	hist, err := st.RemindersOf(ctx, c.ID)
	if err != nil {
		return Status{}, err
	}
	failed, err := st.FailuresOf(ctx, c.ID)
	if err != nil {
		return Status{}, err
	}
	seen, err := st.SeenPeople(ctx)
	if err != nil {
		return Status{}, err
	}
	p := PersonOf(cfg, c, events)
	// Their turn depends on who comes before them in the queue.
	turn, _ := turns(cfg, seen, firstRun(cfg, t), false)
	for i := range cfg.Contacts {
		if cfg.Contacts[i].ID == c.ID {
			p.Turn = turn[i]
		}
	}
	out := evaluateAll([]Person{p}, hist, t.In(cfg.Location))
	if err := hist.Err(); err != nil {
		return Status{}, err
	}
	addFailures(out, failed, cfg.Location)
	return out[0], nil
}

// rankKey orders due reminders under max_per_run (docs/rules.md): occasions first, the soonest day first, whatever else is due;
// then people not yet reminded in this episode; then repeats. Within each,
// the most overdue first, measured in the person's own cadence (rankUnit),
// so a week late for a weekly friend outranks a week late for a yearly one;
// someone with no interaction on record ranks first, by their turn in the
// queue of new people. Equal keys go in config order.
type rankKey struct {
	tier int     // 0 occasion, 1 first reminder, 2 repeat
	rank float64 // overdue in rankUnit; +Inf when the unit is 0
	at   int64   // Unix ns: the earlier first, among equal ranks
}

func (a rankKey) compare(b rankKey) int {
	return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(b.rank, a.rank), cmp.Compare(a.at, b.at))
}

// tierOf is the tier of rankKey: sent is how often the reminder went out
// already.
func tierOf(r *rules.Result, sent int) int {
	switch {
	case r.Kind == rules.OccasionKind:
		return 0
	case sent == 0:
		return 1
	}
	return 2
}

// rankAt is the instant a due reminder is ordered by within its unit: its
// due date, an occasion's day, a new person's turn (none without a turn:
// then all rank alike, in config order).
func rankAt(p *Person, r *rules.Result) int64 {
	switch {
	case r.Kind == rules.OccasionKind:
		return r.OccasionDay.UnixNano()
	case r.Kind == rules.CheckIn && r.Last.IsZero():
		if p.Turn.IsZero() {
			return 0
		}
		return p.Turn.UnixNano()
	}
	return r.Next.UnixNano()
}

// rankOf is the rankKey of a due reminder at t.
func rankOf(p *Person, r *rules.Result, sent int, t time.Time) rankKey {
	k := rankKey{tier: tierOf(r, sent), rank: math.Inf(1), at: rankAt(p, r)}
	if unit := rankUnit(p, r); unit != 0 {
		k.rank = float64(t.Sub(r.Next)) / float64(unit)
	}
	return k
}

// rankUnit is what a person's overdue time is measured in: their cadence,
// a day when they have none; 0 for an occasion and for someone with no
// interaction on record, who rank above everyone in their tier.
func rankUnit(p *Person, r *rules.Result) time.Duration {
	if r.Kind == rules.OccasionKind || (r.Kind == rules.CheckIn && r.Last.IsZero()) {
		return 0
	}
	if unit := p.Settings.Every.Approx(); unit > 0 {
		return unit
	}
	return 24 * time.Hour
}

// LoadStore is what Load reads.
type LoadStore interface {
	Events(ctx context.Context) (map[string][]journal.Event, error)
	Reminded(ctx context.Context) (map[journal.Identity]journal.Enqueued, error)
	SeenStore
}

// Load reads what a plan of the runs after at needs: everyone with their
// events and their turn in the queue of new people, and the outbox's
// record of what went out.
func Load(ctx context.Context, cfg *config.Config, st LoadStore, at time.Time) ([]Person, map[journal.Identity]journal.Enqueued, error) {
	events, err := st.Events(ctx)
	if err != nil {
		return nil, nil, err
	}
	hist, err := st.Reminded(ctx)
	if err != nil {
		return nil, nil, err
	}
	seen, err := st.SeenPeople(ctx)
	if err != nil {
		return nil, nil, err
	}
	people := People(cfg, events)
	queue(cfg, people, seen, firstRun(cfg, at), false)
	return people, hist, nil
}

// via is how an event from source came: "text" from a phone's record,
// "email" from any other source (mail; a meeting is talking, never a
// reply), "" when logged by hand.
func via(source string) string {
	switch {
	case phone.IsPhone(source):
		return "text"
	case journal.IsLearned(source):
		return "email"
	}
	return ""
}
