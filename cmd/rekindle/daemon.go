package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
	"github.com/fsnotify/fsnotify"

	"github.com/rekindle/rekindle/addressbook"
	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/deliver"
	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/mailbox"
	"github.com/rekindle/rekindle/notifier"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
	"github.com/rekindle/rekindle/web"
)

// live is what a reload swaps whole: the config, its templates and its
// channels.
type live struct {
	cfg      *config.Config
	tmpl     *compose.Templates
	channels map[string]notifier.Channel
}

// daemon is `rekindle run`: the schedule loop and the deliverer over one
// journal, with reloads and systemd's notify protocol. newDaemon wires it
// and starts nothing; Run runs it until its context ends; Close releases
// the journal.
type daemon struct {
	path    string
	log     *slog.Logger
	now     func() time.Time
	j       *journal.Journal
	cur     atomic.Pointer[live]
	loop    *scheduler.Loop
	deliver *deliver.Deliverer
	opts    notifier.Options
	// lock is the daemon's hold on the state file (run.go), kept when its
	// file is removed (watchState); nil in tests that take none.
	lock *journal.Lock

	closeOne sync.Once
	// load reads the config (d.read unless a test replaces it), and
	// reloadDeadline bounds it on reload.
	load           func() (*live, error)
	reloadDeadline time.Duration
	// zone is the log's time zone, the config's; a reload updates it.
	zone *atomic.Pointer[time.Location]

	// secrets cut the config's secrets out of every log line, what the
	// state file keeps of a failure and the failure notices: those of
	// the config now and of every config before it (a failure of an old
	// channel may still be on its way out).
	secrets atomic.Pointer[redact.Redactor]

	metrics *web.Metrics
	server  *web.Server // nil without listen
	// mail reads the mail sources.
	mail *mailbox.Loop
	// rewatch tells the config watch that a reload may have included
	// files in new directories.
	rewatch chan struct{}
	// peopleChanged tells the main loop that an address book sync added,
	// changed or removed people: the config is read again with them.
	peopleChanged chan struct{}
}

// debounce is how long the config must be quiet before a reload: editors
// write in several steps.
const debounce = 300 * time.Millisecond

func newDaemon(ctx context.Context, path string, log *slog.Logger, now func() time.Time, opts notifier.Options) (*daemon, error) {
	d := &daemon{path: path, log: log, now: now, opts: opts, reloadDeadline: reloadDeadline,
		rewatch: make(chan struct{}, 1), peopleChanged: make(chan struct{}, 1)}
	d.load = d.read
	l, err := d.load()
	if err != nil {
		return nil, err
	}
	d.cur.Store(l)
	d.secrets.Store(l.cfg.Redactor())
	d.log = slog.New(redact.Handler(log.Handler(), d.secrets.Load))
	log = d.log
	jpath, err := journal.DefaultPath()
	if err != nil {
		return nil, err
	}
	if d.j, err = journal.Open(ctx, jpath); err != nil {
		return nil, err
	}
	// The first config was read before the state file was open: its
	// address books' people now (read adds them to every later one).
	if err := addressbook.Load(ctx, l.cfg, d.j); err != nil {
		d.j.Close()
		return nil, err
	}
	d.deliver = &deliver.Deliverer{
		Outbox:  d.j,
		Current: func() map[string]notifier.Channel { return d.cur.Load().channels },
		Log:     log,
		Now:     now,
		Redact:  d.secrets.Load,
		Route: func(contact string) ([]string, bool) {
			c, ok := d.cur.Load().cfg.Lookup(contact)
			if !ok {
				return nil, false
			}
			return c.Channels, true
		},
		// A reminder waiting in the outbox (for quiet hours to end, for a
		// channel to come back) is cancelled when what was logged or
		// learned since makes it no longer due: a reply that came by mail
		// ends a follow-up before it is sent.
		Stale: func(ctx context.Context, rows []journal.Delivery) map[int64]string {
			stale, err := scheduler.Stale(ctx, d.cur.Load().cfg, d.j, rows, now())
			if err != nil {
				log.Error("check whether due reminders are still due", "err", err)
			}
			return stale
		},
		Observe: func(ch, outcome string, n int) {
			d.metrics.Deliveries.WithLabelValues(ch, outcome).Add(float64(n))
		},
		// A round of reminders is over and the daemon will sleep, most
		// often for hours: give the memory the run and its sends took
		// back to the system now, not over the minutes the runtime would
		// take.
		OnIdle: debug.FreeOSMemory,
	}
	d.loop = &scheduler.Loop{
		Store: d.j,
		Current: func() scheduler.Current {
			l := d.cur.Load()
			return scheduler.Current{Config: l.cfg, Templates: l.tmpl}
		},
		Now: now,
		Log: log,
		Check: func() error {
			if err := d.j.Verify(); err != nil {
				return err
			}
			return d.keepLock() // in case the directory's watch missed it
		},
		Ran: func(res scheduler.Result) {
			d.metrics.Runs.Inc()
			d.metrics.LastRun.SetToCurrentTime()
			for k, n := range res.Kinds {
				d.metrics.Reminders.WithLabelValues(string(k)).Add(float64(n))
			}
			d.deliver.Wake()
		},
	}
	d.mail = &mailbox.Loop{
		Config:  func() *config.Config { return d.cur.Load().cfg },
		Store:   d.j,
		Log:     log,
		Redact:  func(err error) error { return d.secrets.Load().Error(err) },
		Learned: d.deliver.Wake,
		// People added to or removed from an address book: the config is
		// read again with them, as when the file changes.
		PeopleChanged: func() {
			select {
			case d.peopleChanged <- struct{}{}:
			default:
			}
		},
	}
	d.metrics = web.NewMetrics(d.j.PendingCount)
	d.metrics.WatchChannels(d.deliver.Channels)
	d.known(l)
	// The last run on record, so a restart does not look like a daemon
	// that never ran.
	if last, err := d.j.LastFinished(ctx); err == nil && !last.IsZero() {
		d.metrics.LastRun.Set(float64(last.UnixMilli()) / 1000)
	}
	return d, nil
}

// known creates the metrics' labelled series for l's channels and every
// reminder kind.
func (d *daemon) known(l *live) {
	chans := make([]string, 0, len(l.channels))
	for name := range l.channels {
		chans = append(chans, name)
	}
	kinds := make([]string, 0, len(rules.Kinds))
	for _, k := range rules.Kinds {
		kinds = append(kinds, string(k))
	}
	d.metrics.Known(kinds, chans)
}

// listen starts the HTTP server when the config asks for one: it listens
// before the daemon reports ready, so a busy port fails the start.
func (d *daemon) listen() error {
	cfg := d.cur.Load().cfg
	if cfg.Listen == "" {
		return nil
	}
	srv, err := web.New(cfg.Listen, web.Options{
		Config:  func() *config.Config { return d.cur.Load().cfg },
		Journal: d.j, Metrics: d.metrics, Log: d.log, Now: d.loop.Now,
	})
	if err != nil {
		return err
	}
	d.server = srv
	return nil
}

// read reads and checks the config, its templates and channels.
func (d *daemon) read() (*live, error) {
	cfg, err := config.Load(d.path)
	if err != nil {
		return nil, err
	}
	if d.j != nil {
		if err := addressbook.Load(context.Background(), cfg, d.j); err != nil {
			return nil, err
		}
	}
	tmpl, err := compose.NewTemplates(cfg.Templates)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	tmpl.Now = d.now // the clock the web server checks links by
	chans, err := notifier.FromConfig(cfg, d.opts)
	if err != nil {
		return nil, err
	}
	return &live{cfg: cfg, tmpl: tmpl, channels: chans}, nil
}

// channelsInUse names the channels the config sets up, and the built-in
// console when someone's reminders go there (as in a config without
// channels): the logs say these, not a count that takes in the console
// built for every config.
func channelsInUse(cfg *config.Config) string {
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

// Close releases the journal; it may be called more than once.
func (d *daemon) Close() error {
	var err error
	d.closeOne.Do(func() { err = d.j.Close() })
	return err
}

// Run runs the loop and the deliverer until ctx ends; hup carries SIGHUP.
func (d *daemon) Run(ctx context.Context, hup <-chan os.Signal) error {
	cfg := d.cur.Load().cfg
	d.log.Info("rekindle started", "config", d.path, "state", d.j.Path(), "contacts", len(cfg.Contacts),
		"schedule", cfg.ScheduleSpec, "channels", channelsInUse(cfg))

	if err := d.listen(); err != nil {
		return err
	}
	inner, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	if d.server != nil {
		d.log.Info("serving", "addr", d.server.Addr(), "public_url", cfg.PublicURL)
		wg.Go(func() {
			if err := d.server.Serve(); err != nil {
				d.log.Error("http server", "err", err)
			}
		})
	}
	loopErr := make(chan error, 1)
	wg.Go(func() { loopErr <- d.loop.Run(inner) })
	wg.Go(func() { d.deliver.Run(inner) })
	wg.Go(func() { d.mail.Run(inner) })

	changes := d.watch(inner)
	reload := newReloader(inner, d)
	stateGone := d.watchState(inner)
	notify("READY=1\nSTATUS=watching " + strconv.Itoa(len(cfg.Contacts)) + " people")
	var watchdog <-chan time.Time
	if interval, err := sd.SdWatchdogEnabled(false); err == nil && interval > 0 {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		watchdog = t.C
	}

	var result error
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case err := <-loopErr:
			if held := (*journal.HeldError)(nil); errors.Is(err, journal.ErrReplaced) || errors.As(err, &held) {
				d.stateGone(err)
			}
			result = err
			running = false
		case <-hup:
			reload.start("SIGHUP")
		case <-changes:
			reload.start("config file changed")
		case <-d.peopleChanged:
			reload.start("address book changed")
		case res := <-reload.done:
			reload.finish(res)
		case <-reload.expired():
			reload.giveUp()
		case err := <-stateGone:
			d.stateGone(err)
			result = err
			running = false
		case <-watchdog:
			// Fed only while the loop shows signs of life: it wakes at
			// least once a minute, and a run takes well under one.
			if time.Since(d.loop.Alive()) < 2*scheduler.MaxSleep {
				notify("WATCHDOG=1")
			} else {
				d.log.Error("the schedule loop seems stuck; not feeding the watchdog", "last_sign_of_life", d.loop.Alive())
			}
		}
	}
	notify("STOPPING=1")
	d.log.Info("stopping; letting in-flight sends finish", "grace", deliver.Grace)
	stop()
	if d.server != nil {
		sctx, cancel := context.WithTimeout(context.Background(), deliver.Grace)
		d.server.Shutdown(sctx)
		cancel()
	}
	wg.Wait()
	c := d.deliver.Counts()
	d.log.Info("stopped", "sent", c.Sent, "retried", c.Retried, "failed", c.Failed)
	return result
}

// reloadDeadline bounds a config reload: past it the daemon gives up on
// that reload and keeps its config.
const reloadDeadline = 30 * time.Second

// loaded is the outcome of one reload.
type loaded struct {
	gen int
	why string
	l   *live
	err error
}

// reloader loads configs off the main loop, one at a time, each within a
// deadline: a config that takes long to read must not stop the daemon from
// answering SIGTERM or feeding the watchdog.
type reloader struct {
	d        *daemon
	ctx      context.Context
	deadline time.Duration
	done     chan loaded
	gen      int
	busy     bool
	again    string // a reload asked for while one was under way
	timer    *time.Timer
}

func newReloader(ctx context.Context, d *daemon) *reloader {
	return &reloader{d: d, ctx: ctx, deadline: d.reloadDeadline, done: make(chan loaded, 1)}
}

// start begins a reload, or queues one if a reload is under way.
func (r *reloader) start(why string) {
	if r.busy {
		r.again = why
		return
	}
	notify(sd.SdNotifyReloading + "\n" + sd.SdNotifyMonotonicUsec())
	r.busy = true
	r.gen++
	gen := r.gen
	r.timer = time.NewTimer(r.deadline)
	go func() {
		l, err := r.d.load()
		select {
		case r.done <- loaded{gen, why, l, err}:
		case <-r.ctx.Done():
		}
	}()
}

// expired is the deadline of the reload under way; nil when none is.
func (r *reloader) expired() <-chan time.Time {
	if !r.busy {
		return nil
	}
	return r.timer.C
}

// finish applies a reload's outcome; one that comes after its deadline is
// dropped.
func (r *reloader) finish(res loaded) {
	if res.gen != r.gen || !r.busy {
		return
	}
	r.timer.Stop()
	r.busy = false
	r.d.apply(res.why, res.l, res.err)
	notify("READY=1")
	r.next()
}

// giveUp ends a reload that passed its deadline.
func (r *reloader) giveUp() {
	r.busy = false
	r.gen++ // its result, should it come, is dropped
	r.d.metrics.Reloads.WithLabelValues("failure").Inc()
	r.d.metrics.ReloadOK.Set(0)
	r.d.log.Error("config reload took too long; keeping the running config", "deadline", r.deadline)
	notify("READY=1")
	r.next()
}

func (r *reloader) next() {
	if why := r.again; why != "" {
		r.again = ""
		r.start(why)
	}
}

// apply swaps in a new config, or keeps the old one if the new one is
// invalid.
func (d *daemon) apply(why string, l *live, err error) {
	if err == nil && l.cfg.Listen != d.cur.Load().cfg.Listen {
		d.log.Warn("listen changed; it takes effect at the next start", "listen", l.cfg.Listen)
	}
	if err != nil {
		d.metrics.Reloads.WithLabelValues("failure").Inc()
		d.metrics.ReloadOK.Set(0)
		for _, e := range config.Split(err) {
			var ce *config.Error
			if !errors.As(e, &ce) {
				d.log.Error("config reload failed; keeping the running config", "why", why, "err", e)
				continue
			}
			for _, p := range ce.Problems {
				d.log.Error("config reload failed; keeping the running config", "why", why,
					"where", fmt.Sprintf("%s:%d:%d", ce.File, p.Pos.Line, p.Pos.Col), "key", p.Key, "problem", p.Msg)
			}
			if ce.Omitted > 0 {
				d.log.Error("config reload failed; keeping the running config", "why", why,
					"where", ce.File, "problem", fmt.Sprintf("and %d more problems; run rekindle check to see them", ce.Omitted))
			}
		}
		return
	}
	secrets := l.cfg.Redactor()
	secrets.Merge(d.secrets.Load())
	d.secrets.Store(secrets)
	d.cur.Store(l)
	select {
	case d.rewatch <- struct{}{}:
	default:
	}
	d.mail.Reload()
	if d.zone != nil {
		d.zone.Store(l.cfg.Location)
	}
	d.known(l)
	d.metrics.Reloads.WithLabelValues("success").Inc()
	d.metrics.ReloadOK.Set(1)
	d.log.Info("config reloaded", "why", why, "contacts", len(l.cfg.Contacts), "channels", channelsInUse(l.cfg))
	d.loop.Kick()
	d.deliver.Wake()
}

// fileEvents reports the events on the files that match picks, one
// signal per event that keep picks (coalesced while unread). It watches
// the directories that dirs lists, so an editor that writes a new file and
// renames it over the old one is seen, and so is a file deleted, replaced
// or added. A signal on refresh makes it look at dirs again.
func (d *daemon) fileEvents(ctx context.Context, dirs func() []string, match func(name string) bool, keep func(fsnotify.Op) bool, refresh <-chan struct{}) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	watched := map[string]bool{}
	// A directory that does not exist yet is skipped; it is looked for
	// again at each event, so one made later in a watched directory joins.
	add := func() error {
		for _, dir := range dirs() {
			if watched[dir] {
				continue
			}
			if err := w.Add(dir); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return fmt.Errorf("watch %s: %w", dir, err)
			}
			watched[dir] = true
		}
		return nil
	}
	if err := add(); err != nil {
		w.Close()
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-refresh:
				if err := add(); err != nil {
					d.log.Warn("file watch", "err", err)
				}
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					add()
				}
				if !match(filepath.Clean(ev.Name)) || !keep(ev.Op) {
					continue
				}
				select {
				case out <- struct{}{}:
				default:
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				d.log.Warn("file watch", "err", err)
			}
		}
	}()
	return out, nil
}

// watch reports changes to the config file and the files it includes (or
// a new one that an include pattern matches), debounced: editors write in
// several steps.
func (d *daemon) watch(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	cfg := func() *config.Config { return d.cur.Load().cfg }
	events, err := d.fileEvents(ctx, func() []string { return cfg().WatchDirs() }, func(name string) bool { return cfg().Watched(name) },
		func(op fsnotify.Op) bool { return op != fsnotify.Chmod }, d.rewatch)
	if err != nil {
		d.log.Warn("cannot watch the config file; reload with SIGHUP", "err", err)
		return out
	}
	go func() {
		timer := time.NewTimer(debounce)
		timer.Stop()
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
				timer.Reset(debounce)
			case <-timer.C:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

// stateGone logs why the daemon stops when its state file was deleted or
// replaced.
func (d *daemon) stateGone(err error) {
	if held := (*journal.HeldError)(nil); errors.As(err, &held) {
		d.log.Error("stopping: another process took the state file after this daemon's lock file was removed; one daemon runs on a state file",
			"state", d.j.Path(), "err", err)
		return
	}
	d.log.Error("stopping: the state file is not the one this daemon opened; restart rekindle to use the file now at that path",
		"state", d.j.Path(), "err", err)
}

// watchState reports, once, that the state file was deleted or replaced:
// the daemon would go on writing to a file nobody else sees while the
// command line creates a new one. It watches the directory for a prompt
// notice; the schedule loop also checks the file each time it wakes (at
// least once a minute), in case the watch misses it.
func (d *daemon) watchState(ctx context.Context) <-chan error {
	out := make(chan error, 1)
	state, _ := filepath.Abs(d.j.Path())
	lockFile := journal.LockPath(state)
	events, err := d.fileEvents(ctx, func() []string { return []string{filepath.Dir(state)} }, func(name string) bool { return name == state || name == lockFile },
		func(op fsnotify.Op) bool { return op.Has(fsnotify.Remove | fsnotify.Rename | fsnotify.Create) }, nil)
	if err != nil {
		return out // the loop's check remains
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
				if err := d.j.Verify(); err != nil {
					out <- err
					return
				}
				// The lock file removed or replaced: made again at once, so
				// that a second daemon started now finds it held.
				if err := d.keepLock(); err != nil {
					out <- err
					return
				}
			}
		}
	}()
	return out
}

// keepLock makes the lock file again when it was removed or replaced, and
// says so; its error is another process that holds the new one.
func (d *daemon) keepLock() error {
	again, err := d.lock.Keep()
	if again {
		d.log.Warn("the lock file of the state file was removed or replaced; made it again, so that no second daemon starts on this state file",
			"lock", journal.LockPath(d.j.Path()))
	}
	return err
}

// notify speaks systemd's notify protocol when NOTIFY_SOCKET is set.
func notify(state string) {
	_, _ = sd.SdNotify(false, state)
}
