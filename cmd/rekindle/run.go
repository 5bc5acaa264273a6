package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
	"github.com/rekindle/rekindle/scheduler"
)

// newLogger makes the daemon's logger: text (JSON on request) on standard
// error, without time stamps under journald, which adds its own. Every time
// in a line, its stamp included, is written in one zone: the config's
// (zone, which a reload may change), so that a slot and the moment it ran
// read alike.
func newLogger(w io.Writer, format string, zone *atomic.Pointer[time.Location]) (*slog.Logger, error) {
	journald := os.Getenv("JOURNAL_STREAM") != ""
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey && journald {
			return slog.Attr{}
		}
		if a.Value.Kind() == slog.KindTime {
			if loc := zone.Load(); loc != nil {
				a.Value = slog.TimeValue(a.Value.Time().In(loc))
			}
		}
		return a
	}}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("run: --log-format must be text or json, not %q", format)
}

var runCommand = command{
	name: "run", args: "[--once [--at TIME [--send]]] [--log-format text|json]",
	summary: "the daemon: reminders on schedule; --once: one run, then exit; --at: a dry run at TIME that writes and sends nothing",
	flags: func(fs *flag.FlagSet) runFunc {
		var f runFlags
		fs.BoolVar(&f.once, "once", false, "one run and its deliveries, then exit")
		fs.StringVar(&f.at, "at", "", "with --once: a dry run at `TIME`, which writes and sends nothing")
		fs.BoolVar(&f.send, "send", false, "with --at: also send what the dry run renders through the real channels (still recording nothing)")
		fs.StringVar(&f.format, "log-format", "text", "the log's `FORMAT`: text or json")
		return func(c *cli, ctx context.Context, _ []string) error { return c.run(ctx, f) }
	},
}

type runFlags struct {
	once, send bool
	at, format string
}

// run is the daemon, or one run of it.
func (c *cli) run(ctx context.Context, f runFlags) error {
	if f.at != "" && !f.once {
		return usagef("run: --at needs --once")
	}
	if f.send && f.at == "" {
		return usagef("run: --send belongs to a dry run (--once --at TIME)")
	}
	var zone atomic.Pointer[time.Location]
	log, err := newLogger(c.stderr, f.format, &zone)
	if err != nil {
		return err
	}
	if f.at != "" {
		return c.dryRun(ctx, f.at, f.send)
	}
	path, err := config.Find(c.configFlag)
	if err != nil {
		return hint.With(err, "run 'rekindle init' for a starter config, or pass --config")
	}
	// The daemon keeps to the config's own limit; one run on its own may
	// take more and be done sooner (docs/speed.md).
	if f.once {
		sizeMemory(path, runMemory)
	} else {
		sizeMemory(path, configMemory)
	}
	lock, err := lockState(f.once)
	if err != nil {
		return err
	}
	defer lock.Release()
	d, err := newDaemon(ctx, path, log, c.now, notifier.Options{Stdout: c.stdout})
	if err != nil {
		return err
	}
	defer d.Close()
	d.state.Lock = lock
	log = d.log // cuts the config's secrets
	d.zone = &zone
	zone.Store(d.cur.Load().Config.Location)

	if f.once {
		l := d.cur.Load()
		t := c.now()
		res, err := scheduler.RunOnce(ctx, l.Config, l.Templates, d.j, t, t)
		if err != nil {
			return err
		}
		log.Info("run", "at", t.In(l.Config.Location).Format(time.RFC3339), "due", res.Due, "reminded", res.Reminded,
			"enqueued", res.Enqueued, "deferred", res.Deferred, "waiting", res.Waiting)
		cnt := d.deliver.DeliverDue(ctx)
		log.Info("deliveries done", "sent", cnt.Sent, "retried", cnt.Retried, "failed", cnt.Failed)
		return nil
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return d.Run(ctx, hup)
}

// lockState takes the state file's lock for the daemon or one run --once:
// only one process at a time runs the schedule and sends, or the same
// reminders go out twice. The other commands, and a dry run, which writes
// nothing, go on beside it.
func lockState(once bool) (*journal.Lock, error) {
	path, err := journal.DefaultPath()
	if err != nil {
		return nil, err
	}
	what := "daemon"
	if once {
		what = "run --once"
	}
	lock, err := journal.TryLock(path, what)
	var held *journal.HeldError
	if !errors.As(err, &held) {
		return lock, err
	}
	stop := "stop it first"
	if held.PID > 0 {
		stop += " (kill " + strconv.Itoa(held.PID) + ")"
	}
	switch {
	case once && held.What == "daemon":
		return nil, hint.With(fmt.Errorf("%w; it runs the schedule and sends what is due itself, so this run --once sent nothing", held),
			"'rekindle status' shows who is due; a dry run (run --once --at TIME) works beside the daemon")
	case once:
		return nil, hint.With(fmt.Errorf("%w; this run --once sent nothing", held), "try again when it is done")
	case held.What == "run --once":
		return nil, hint.With(held, "start the daemon again when that run is done")
	}
	return nil, hint.With(fmt.Errorf("%w; one daemon runs on a state file", held),
		stop+", or give this daemon a state directory of its own (STATE_DIRECTORY)")
}

// dryStore is the journal as a dry run sees it: read as it is, and a run's
// reminders kept in memory instead of written.
type dryStore struct {
	*journal.Journal
	rows []journal.Row
}

func (s *dryStore) EnqueueChunks(_ context.Context, _ journal.Run, chunks iter.Seq2[[]journal.Row, error]) (int, error) {
	s.rows = nil
	for rows, err := range chunks {
		if err != nil {
			return 0, err
		}
		s.rows = append(s.rows, rows...)
	}
	return len(s.rows), nil
}

// Enqueue, like EnqueueChunks, keeps the rows in memory: a dry run writes
// nothing whichever way it is asked.
func (s *dryStore) Enqueue(ctx context.Context, run journal.Run, rows []journal.Row) (int, error) {
	return s.EnqueueChunks(ctx, run, func(yield func([]journal.Row, error) bool) { yield(rows, nil) })
}

// dryRun is `run --once --at TIME`: the run that would happen at TIME, over
// the real config and state, printed and never written. With send, the
// messages also go through their real channels (to see how they look), and
// still nothing is recorded.
func (c *cli) dryRun(ctx context.Context, at string, send bool) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	t, err := parseTime(at, cfg.Location)
	if err != nil {
		return err
	}
	tmpl, err := compose.NewTemplates(cfg.Templates)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.File, err)
	}
	tmpl.Now = c.now // links count from the real clock, not from TIME
	path, err := journal.DefaultPath()
	if err != nil {
		return err
	}
	j, err := journal.OpenReadOnly(ctx, path)
	if err != nil {
		return err
	}
	defer j.Close()
	st := &dryStore{Journal: j}
	res, err := scheduler.RunOnce(ctx, cfg, tmpl, st, t, t)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "dry run at %s: %s due, %d reminded, %s; nothing is written%s\n",
		t.Format(stamp+" MST"), plural(res.Due, "person", "people"), res.Reminded, plural(len(st.rows), "message", "messages"),
		map[bool]string{false: " or sent", true: ""}[send])
	var chans map[string]notifier.Channel
	if send {
		if chans, err = notifier.FromConfig(cfg, notifier.Options{Stdout: c.stdout}); err != nil {
			return err
		}
	}
	failed := 0
	secrets := cfg.Redactor()
	for _, r := range st.rows {
		var m notifier.Message
		if err := json.Unmarshal(r.Message, &m); err != nil {
			return fmt.Errorf("render %s: %w", r.Contact, err)
		}
		when := r.NotBefore.In(cfg.Location)
		fmt.Fprintf(c.stdout, "\n-- to %s at %s (%s for %s)\n", r.Channel, when.Format(stamp), r.Kind, r.Contact)
		fmt.Fprintln(c.stdout, preview(m))
		if !send {
			continue
		}
		ch := chans[r.Channel]
		if ch == nil {
			fmt.Fprintf(c.stdout, "   not sent: no channel %q\n", r.Channel)
			failed++
			continue
		}
		if err := ch.Deliver(ctx, m); err != nil {
			fmt.Fprintf(c.stdout, "   not sent: %s\n", secrets.String(err.Error()))
			failed++
			continue
		}
		fmt.Fprintf(c.stdout, "   sent through %s (not recorded)\n", r.Channel)
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}

// preview is a message as plain text: its title, then the body in the
// first format it has.
func preview(m notifier.Message) string {
	body := m.Text()
	var b strings.Builder
	b.WriteString(m.Title + "\n")
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		if line != "" {
			b.WriteString("   " + line)
		}
		b.WriteString("\n")
	}
	for _, l := range m.Links {
		b.WriteString("   " + l.Label + ": " + l.URL + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
