// Package reload reads the daemon's config again, off the daemon's main
// loop: one reload at a time, each within a deadline, so that a config
// that takes long to read never stops the daemon from answering SIGTERM or
// feeding the watchdog. A config that fails its checks is logged, each
// problem at its file, line and column, and the running config stays.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/notifier"
)

// Live is what a reload swaps whole: the config, its templates and its
// channels.
type Live struct {
	Config    *config.Config
	Templates *compose.Templates
	Channels  map[string]notifier.Channel
}

// Read reads and checks the config at path, its templates and channels;
// now is the clock the web server checks links by. people, when not nil,
// adds the people the config's address books brought (addressbook.Load)
// before the channels are built for everyone.
func Read(path string, now func() time.Time, opts notifier.Options, people func(*config.Config) error) (*Live, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if people != nil {
		if err := people(cfg); err != nil {
			return nil, err
		}
	}
	tmpl, err := compose.NewTemplates(cfg.Templates)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	tmpl.Now = now
	chans, err := notifier.FromConfig(cfg, opts)
	if err != nil {
		return nil, err
	}
	return &Live{Config: cfg, Templates: tmpl, Channels: chans}, nil
}

// ChannelNames names every channel built, the console among them, sorted.
func (l *Live) ChannelNames() []string { return slices.Sorted(maps.Keys(l.Channels)) }

// ChannelsInUse names the channels the config sets up, and the built-in
// console when someone's reminders go there (as in a config without
// channels): the logs say these, not a count that takes in the console
// built for every config.
func (l *Live) ChannelsInUse() string {
	cfg := l.Config
	names := cfg.ChannelNames()
	if _, own := cfg.Channels[config.ConsoleChannel]; !own {
		for i := range cfg.Contacts {
			if slices.Contains(cfg.Contacts[i].Channels, config.ConsoleChannel) {
				names = append(names, config.ConsoleChannel)
				break
			}
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// Signal is the why of a reload SIGHUP asked for.
const Signal = "SIGHUP"

// Deadline bounds a reload unless Reloader.Deadline says otherwise: past
// it the daemon gives up on that reload and keeps its config.
const Deadline = 30 * time.Second

// Reloader reloads the config when asked (SIGHUP, a file changed) until
// its context ends. Its fields are set before Run and not changed after.
type Reloader struct {
	// Load reads the config (Read, in the daemon).
	Load func() (*Live, error)
	// Running is the config in use, and Swap puts l in its place; Swap
	// runs on Run's goroutine.
	Running func() *Live
	Swap    func(why string, l *Live)
	Log     *slog.Logger
	// Deadline bounds each reload; zero means the package's Deadline.
	Deadline time.Duration
	// Notify speaks systemd's notify protocol (RELOADING=1, READY=1); nil
	// says nothing.
	Notify func(state string)
	// Counted is told each reload's result, for the metrics; nil tells
	// no one.
	Counted func(ok bool)

	setup  sync.Once
	people chan struct{} // PeopleChanged
	done   chan loaded
	gen    int
	busy   bool
	again  string // a reload asked for while one was under way
	timer  *time.Timer
}

// loaded is the outcome of one reload.
type loaded struct {
	gen int
	why string
	l   *Live
	err error
}

// PeopleChanged says that an address book's sync added, changed or
// removed people: the config is read again with them. It may be called
// before Run, and from any goroutine.
func (r *Reloader) PeopleChanged() {
	select {
	case r.peopleChanged() <- struct{}{}:
	default:
	}
}

func (r *Reloader) peopleChanged() chan struct{} {
	r.setup.Do(func() { r.people = make(chan struct{}, 1) })
	return r.people
}

// Run reloads on each signal on hup (Signal), on changed ("config file
// changed") and on PeopleChanged ("address book changed") until ctx ends.
// A reload asked for while one is under way runs after it, once however
// often it was asked.
func (r *Reloader) Run(ctx context.Context, hup <-chan os.Signal, changed <-chan struct{}) {
	people := r.peopleChanged()
	r.done = make(chan loaded, 1)
	if r.Deadline == 0 {
		r.Deadline = Deadline
	}
	for {
		select {
		case <-ctx.Done():
			if r.timer != nil {
				r.timer.Stop()
			}
			return
		case <-hup:
			r.start(ctx, Signal)
		case <-changed:
			r.start(ctx, "config file changed")
		case <-people:
			r.start(ctx, "address book changed")
		case res := <-r.done:
			r.finish(ctx, res)
		case <-r.expired():
			r.giveUp(ctx)
		}
	}
}

func (r *Reloader) notify(state string) {
	if r.Notify != nil {
		r.Notify(state)
	}
}

// start begins a reload, or queues one if a reload is under way.
func (r *Reloader) start(ctx context.Context, why string) {
	if r.busy {
		// A SIGHUP queued stays one whatever is asked after it: the
		// daemon reads every source on it.
		if r.again != Signal {
			r.again = why
		}
		return
	}
	r.notify(sd.SdNotifyReloading + "\n" + sd.SdNotifyMonotonicUsec())
	r.busy = true
	r.gen++
	gen := r.gen
	r.timer = time.NewTimer(r.Deadline)
	go func() {
		l, err := r.Load()
		select {
		case r.done <- loaded{gen, why, l, err}:
		case <-ctx.Done():
		}
	}()
}

// expired is the deadline of the reload under way; nil when none is.
func (r *Reloader) expired() <-chan time.Time {
	if !r.busy {
		return nil
	}
	return r.timer.C
}

// finish applies a reload's outcome; one that comes after its deadline is
// dropped.
func (r *Reloader) finish(ctx context.Context, res loaded) {
	if res.gen != r.gen || !r.busy {
		return
	}
	r.timer.Stop()
	r.busy = false
	r.apply(res.why, res.l, res.err)
	r.notify("READY=1")
	r.next(ctx)
}

// giveUp ends a reload that passed its deadline.
func (r *Reloader) giveUp(ctx context.Context) {
	r.busy = false
	r.gen++ // its result, should it come, is dropped
	r.count(false)
	r.Log.Error("config reload took too long; keeping the running config", "deadline", r.Deadline)
	r.notify("READY=1")
	r.next(ctx)
}

func (r *Reloader) next(ctx context.Context) {
	if why := r.again; why != "" {
		r.again = ""
		r.start(ctx, why)
	}
}

func (r *Reloader) count(ok bool) {
	if r.Counted != nil {
		r.Counted(ok)
	}
}

// apply swaps in a new config, or keeps the old one if the new one is
// invalid and logs why, each problem at its place.
func (r *Reloader) apply(why string, l *Live, err error) {
	if err == nil && l.Config.Listen != r.Running().Config.Listen {
		r.Log.Warn("listen changed; it takes effect at the next start", "listen", l.Config.Listen)
	}
	if err != nil {
		r.count(false)
		for _, e := range config.Split(err) {
			var ce *config.Error
			if !errors.As(e, &ce) {
				r.Log.Error("config reload failed; keeping the running config", "why", why, "err", e)
				continue
			}
			for _, p := range ce.Problems {
				r.Log.Error("config reload failed; keeping the running config", "why", why,
					"where", fmt.Sprintf("%s:%d:%d", ce.File, p.Pos.Line, p.Pos.Col), "key", p.Key, "problem", p.Msg)
			}
			if ce.Omitted > 0 {
				r.Log.Error("config reload failed; keeping the running config", "why", why,
					"where", ce.File, "problem", fmt.Sprintf("and %d more problems; run rekindle check to see them", ce.Omitted))
			}
		}
		return
	}
	r.Swap(why, l)
	r.count(true)
	r.Log.Info("config reloaded", "why", why, "contacts", len(l.Config.Contacts), "channels", l.ChannelsInUse())
}
