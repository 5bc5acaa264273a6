package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/rekindle/rekindle/addressbook"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/deliver"
	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/mailbox"
	"github.com/rekindle/rekindle/notifier"
	"github.com/rekindle/rekindle/reload"
	"github.com/rekindle/rekindle/scheduler"
	"github.com/rekindle/rekindle/watch"
	"github.com/rekindle/rekindle/web"
)

// daemon is `rekindle run`: the schedule loop, the deliverer and the mail
// loop over one journal, with reloads, the file watches and systemd's
// notify protocol. newDaemon wires it and starts nothing; Run runs it
// until its context ends; Close releases the journal.
type daemon struct {
	path string
	log  *slog.Logger
	j    *journal.Journal
	cur  atomic.Pointer[reload.Live]
	// state watches the state file and holds the daemon's lock on it
	// (run.go sets state.Lock).
	state   *watch.State
	loop    *scheduler.Loop
	deliver *deliver.Deliverer
	mail    *mailbox.Loop
	reload  *reload.Reloader

	closeOne sync.Once
	// zone is the log's time zone, the config's; a reload updates it.
	zone *atomic.Pointer[time.Location]

	// secrets cut the config's secrets out of every log line, what the
	// state file keeps of a failure and the failure notices: those of
	// the config now and of every config before it (a failure of an old
	// channel may still be on its way out).
	secrets atomic.Pointer[redact.Redactor]

	metrics *web.Metrics
	server  *web.Server // nil without listen
	// rewatch tells the config watch that a reload may have included
	// files in new directories.
	rewatch chan struct{}
}

func newDaemon(ctx context.Context, path string, log *slog.Logger, now func() time.Time, opts notifier.Options) (*daemon, error) {
	d := &daemon{path: path, log: log, rewatch: make(chan struct{}, 1)}
	// The first config is read before the state file is open; its
	// address books' people join it below, and every later one's as it
	// is read.
	l, err := reload.Read(path, now, opts, nil)
	if err != nil {
		return nil, err
	}
	d.cur.Store(l)
	d.secrets.Store(l.Config.Redactor())
	d.log = slog.New(redact.Handler(log.Handler(), d.secrets.Load))
	log = d.log
	jpath, err := journal.DefaultPath()
	if err != nil {
		return nil, err
	}
	if d.j, err = journal.Open(ctx, jpath); err != nil {
		return nil, err
	}
	d.state = &watch.State{Journal: d.j, Log: log}
	d.metrics = web.NewMetrics(d.j.PendingCount)
	cfg := func() *config.Config { return d.cur.Load().Config }
	if err := addressbook.Load(ctx, l.Config, d.j); err != nil {
		d.j.Close()
		return nil, err
	}
	load := func() (*reload.Live, error) {
		return reload.Read(path, now, opts, func(c *config.Config) error { return addressbook.Load(context.Background(), c, d.j) })
	}
	d.deliver = &deliver.Deliverer{
		Outbox:  d.j,
		Current: func() map[string]notifier.Channel { return d.cur.Load().Channels },
		Log:     log,
		Now:     now,
		Redact:  d.secrets.Load,
		Route:   func(contact string) ([]string, bool) { return cfg().Route(contact) },
		// A reply that came by mail ends a follow-up before it is sent.
		Stale:   scheduler.Staleness(cfg, d.j, now, log),
		Observe: d.metrics.Delivered,
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
			return scheduler.Current{Config: l.Config, Templates: l.Templates}
		},
		Now:   now,
		Log:   log,
		Check: d.state.Check,
		Ran: func(res scheduler.Result) {
			d.metrics.Ran(res.Kinds)
			d.deliver.Wake()
		},
	}
	d.reload = &reload.Reloader{Load: load, Running: d.cur.Load, Swap: d.swap, Log: log, Notify: notify, Counted: d.metrics.Reloaded}
	d.mail = &mailbox.Loop{
		Config: cfg,
		Store:  d.j,
		Log:    log,
		Redact: func(err error) error { return d.secrets.Load().Error(err) },
		// A reply learned may end a reminder waiting in the outbox.
		Learned: d.deliver.Recheck,
		// People added to or removed from an address book: the config is
		// read again with them, as when the file changes.
		PeopleChanged: d.reload.PeopleChanged,
	}
	d.metrics.WatchChannels(d.deliver.Channels)
	d.metrics.KnowChannels(l.ChannelNames())
	// The last run on record, so a restart does not look like a daemon
	// that never ran.
	if last, err := d.j.LastFinished(ctx); err == nil && !last.IsZero() {
		d.metrics.LastRun.Set(float64(last.UnixMilli()) / 1000)
	}
	return d, nil
}

// swap puts a reloaded config in use: its secrets join those cut from the
// logs, the watches and the mail loop look at it again (after SIGHUP the
// mail loop reads every source now), the loops wake to act on it, and the
// reminders waiting in the outbox are checked against it.
func (d *daemon) swap(why string, l *reload.Live) {
	secrets := l.Config.Redactor()
	secrets.Merge(d.secrets.Load())
	d.secrets.Store(secrets)
	d.cur.Store(l)
	select {
	case d.rewatch <- struct{}{}:
	default:
	}
	d.mail.Reload()
	if why == reload.Signal {
		d.mail.ReadNow()
	}
	if d.zone != nil {
		d.zone.Store(l.Config.Location)
	}
	d.metrics.KnowChannels(l.ChannelNames())
	d.loop.Kick()
	d.deliver.Recheck()
}

// Close releases the journal; it may be called more than once.
func (d *daemon) Close() error {
	var err error
	d.closeOne.Do(func() { err = d.j.Close() })
	return err
}

// Run runs the loops, the reloads and the watches until ctx ends; hup
// carries SIGHUP.
func (d *daemon) Run(ctx context.Context, hup <-chan os.Signal) error {
	l := d.cur.Load()
	cfg := l.Config
	d.log.Info("rekindle started", "config", d.path, "state", d.j.Path(), "contacts", len(cfg.Contacts),
		"schedule", cfg.ScheduleSpec, "channels", l.ChannelsInUse())

	// The HTTP server listens before the daemon reports ready, so a busy
	// port fails the start.
	if cfg.Listen != "" {
		var err error
		opts := web.Options{Config: func() *config.Config { return d.cur.Load().Config }, Journal: d.j, Metrics: d.metrics, Log: d.log, Now: d.loop.Now,
			Learned: d.deliver.Recheck} // a call or text the phone told of, as a source's
		if d.server, err = web.New(cfg.Listen, opts); err != nil {
			return err
		}
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
	changes := watch.Config(inner, d.log, func() *config.Config { return d.cur.Load().Config }, d.rewatch)
	wg.Go(func() { d.reload.Run(inner, hup, changes) })
	stateGone := d.state.Watch(inner)
	notify("READY=1\nSTATUS=watching " + strconv.Itoa(len(cfg.Contacts)) + " people")
	if interval, err := sd.SdWatchdogEnabled(false); err == nil && interval > 0 {
		wg.Go(func() { d.loop.Watchdog(inner, interval/2, func() { notify("WATCHDOG=1") }) })
	}

	var result error
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case err := <-loopErr:
			if held := (*journal.HeldError)(nil); errors.Is(err, journal.ErrReplaced) || errors.As(err, &held) {
				d.state.Gone(err)
			}
			result = err
			running = false
		case err := <-stateGone:
			d.state.Gone(err)
			result = err
			running = false
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

// notify speaks systemd's notify protocol when NOTIFY_SOCKET is set.
func notify(state string) {
	_, _ = sd.SdNotify(false, state)
}
