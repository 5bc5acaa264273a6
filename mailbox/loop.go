package mailbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
)

// Journal is what the daemon's loop needs of the state file: a sync's
// Store, and where to record how each source fares (for status).
type Journal interface {
	Store
	RecordSync(ctx context.Context, source string, now time.Time, err error) error
}

var _ Journal = (*journal.Journal)(nil)

// Loop runs the mail sources of the daemon until its context ends: each at
// start, then every interval, and at once when its watch says mail came
// in. They are read one after another, never holding up reminders: a
// failing source is logged and tried again later with backoff. Its
// fields are set before Run, which runs it all.
type Loop struct {
	// Config is the config now; Reload says it may have changed.
	Config func() *config.Config
	Store  Journal
	Log    *slog.Logger
	// Redact cuts the config's secrets out of a source's error before it
	// is logged or recorded: a server may echo the login.
	Redact func(error) error
	// Learned is called after a sync that wrote events: a reply may end a
	// reminder waiting in the outbox.
	Learned func()
	// PeopleChanged is called after an address book's sync that added,
	// changed or removed people: the config's people are read anew.
	PeopleChanged func()

	once    sync.Once
	reload  chan struct{}
	readNow chan struct{}
	fails   map[string]int // failures in a row, by source
	// read reads one source (SyncOnce; tests count the reads instead).
	read func(ctx context.Context, cfg *config.Config, src *config.Source)
}

func (l *Loop) init() {
	l.once.Do(func() {
		l.reload, l.readNow = make(chan struct{}, 1), make(chan struct{}, 1)
		l.fails = map[string]int{}
		if l.read == nil {
			l.read = l.SyncOnce
		}
	})
}

// Reload tells the loop that the config may have changed: the watches
// start again on the new one, and a new source is read at once.
func (l *Loop) Reload() {
	l.init()
	select {
	case l.reload <- struct{}{}:
	default:
	}
}

// ReadNow tells the loop to read every source at once, whatever its
// interval or backoff, and each again an interval later: what SIGHUP asks
// of the daemon, for a card just added on the phone, a meeting just
// ended or mail a server without IDLE holds.
func (l *Loop) ReadNow() {
	l.init()
	select {
	case l.readNow <- struct{}{}:
	default:
	}
}

// Run reads and watches the sources until ctx ends. Without sources it
// only waits: a reload may add one.
func (l *Loop) Run(ctx context.Context) {
	l.init()
	next := map[string]time.Time{} // when each source is read next
	told := make(chan string, 16)  // a source whose watch saw mail come in
	w := watches{told: told, log: l.Log}
	// The watches end with the loop: each cuts its connection as its
	// context ends, so the wait is short whatever a server does.
	defer w.end()
	var watched *config.Config
	for {
		c := l.Config()
		if c != watched {
			watched = c
			w.start(ctx, c, l.Redact)
		}
		now := time.Now()
		wake := now.Add(time.Minute)
		for _, name := range c.SourceNames() {
			src := c.Sources[name]
			if at, ok := next[name]; !ok || !at.After(now) {
				l.read(ctx, c, src)
				wait := src.Interval
				if n := l.fails[name]; n > 0 {
					wait = min(src.Interval, Backoff(n)) // never later than its interval
				}
				next[name] = time.Now().Add(wait)
			}
			if next[name].Before(wake) {
				wake = next[name]
			}
		}
		// Without sources, nothing to wake for but a reload.
		timer := time.NewTimer(time.Until(wake))
		timeout := timer.C
		if len(c.Sources) == 0 {
			timer.Stop()
			timeout = nil
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-l.reload:
		case <-l.readNow:
			clear(next)
		case <-timeout:
		case name := <-told:
			delete(next, name)
		}
		timer.Stop()
	}
}

// SyncOnce reads one source and logs what it learned, or why it failed,
// and records which in the state file.
func (l *Loop) SyncOnce(ctx context.Context, cfg *config.Config, src *config.Source) {
	l.init()
	s := &Sync{Source: src, People: NewPeople(cfg), Store: l.Store, Now: time.Now().In(cfg.Location), Clock: time.Now}
	res, err := s.Run(ctx)
	err = l.redact(err)
	if ctx.Err() != nil {
		return
	}
	// status tells of a failing source.
	if rerr := l.Store.RecordSync(ctx, src.Name, time.Now(), err); rerr != nil {
		l.Log.Error("record the state of a "+Noun(src), "source", src.Name, "err", rerr)
	}
	if err == nil {
		if l.fails[src.Name] > 0 {
			l.Log.Info(Noun(src)+" works again", "source", src.Name)
		}
		delete(l.fails, src.Name)
	}
	// What a sync wrote before it failed (a folder, a phone's backup file
	// the others' error does not stop) is said, and may end a reminder.
	if res.Added > 0 || res.Malformed > 0 {
		what := "learned from mail"
		switch {
		case IsCalendar(src.Type):
			what = "learned from the calendar" // read counts meetings
		case src.Type == "phonebackup":
			what = "learned from the phone's backup" // read counts calls and texts
		}
		l.Log.Info(what, "source", src.Name, "read", res.Read, "used", res.Used, "ignored", res.Ignored,
			"unreadable", res.Malformed, "events", res.Added)
	}
	if res.Added > 0 && l.Learned != nil {
		l.Learned()
	}
	if err != nil {
		l.fails[src.Name]++
		l.Log.Error(Noun(src)+" failed; trying again later", "source", src.Name, "failures_in_a_row", l.fails[src.Name], "err", err, "hint", hint.Of(err))
		return
	}
	if res.People > 0 {
		l.Log.Info("the address book changed", "source", src.Name, "people", res.People)
		if l.PeopleChanged != nil {
			l.PeopleChanged()
		}
	}
}

func (l *Loop) redact(err error) error {
	if l.Redact == nil || err == nil {
		return err
	}
	return l.Redact(err)
}

// watches are the running watches of the sources, one goroutine each.
type watches struct {
	told chan<- string
	log  *slog.Logger
	stop func() // nil before the first start
}

// end stops the watches and waits for them.
func (w *watches) end() {
	if w.stop != nil {
		w.stop()
	}
}

// start stops the watches of the config before (a reload may have changed
// a source: it is watched anew) and starts one for each source of cfg.
func (w *watches) start(ctx context.Context, cfg *config.Config, redact func(error) error) {
	w.end()
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	w.stop = func() { cancel(); wg.Wait() }
	for name, src := range cfg.Sources {
		if src.ReadsPeople() {
			continue // an address book has no watch: read every interval
		}
		s, err := Open(src)
		if err != nil {
			continue // its syncs say why
		}
		wg.Go(func() {
			err := s.Watch(wctx, func() {
				select {
				case w.told <- name:
				default:
				}
			}, func(err error) {
				if redact != nil {
					err = redact(err)
				}
				w.log.Warn("lost the watch on a "+Noun(src)+"; watching it again", "source", name, "err", err, "hint", hint.Of(err))
			})
			if err == nil || wctx.Err() != nil {
				return
			}
			if redact != nil {
				err = redact(err)
			}
			if errors.Is(err, ErrNotWatched) && IsCalendar(src.Type) {
				w.log.Info("reading the calendar every interval", "source", name, "interval", src.Interval)
				return
			}
			if errors.Is(err, ErrNotWatched) {
				w.log.Info("the mail source cannot tell of new mail; reading it every interval", "source", name, "interval", src.Interval, "why", err)
				return
			}
			w.log.Warn("cannot watch a "+Noun(src)+"; reading it every interval", "source", name, "interval", src.Interval, "err", err, "hint", hint.Of(err))
		})
	}
}
