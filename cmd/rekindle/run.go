package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/notifier"
	"github.com/rekindle/rekindle/scheduler"
)

// newLogger makes the daemon's logger: text (JSON on request) on standard
// error, without time stamps under journald, which adds its own.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{}
	if os.Getenv("JOURNAL_STREAM") != "" {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("run: --log-format must be text or json, not %q", format)
}

func (c *cli) run(ctx context.Context, args []string) error {
	fsr := flag.NewFlagSet("run", flag.ContinueOnError)
	once := fsr.Bool("once", false, "")
	at := fsr.String("at", "", "")
	format := fsr.String("log-format", "text", "")
	if _, err := parseFlags(fsr, args, 0, 0, "[--once [--at TIME]] [--log-format text|json]"); err != nil {
		return err
	}
	if *at != "" && !*once {
		return usagef("run: --at needs --once")
	}
	log, err := newLogger(c.stderr, *format)
	if err != nil {
		return err
	}
	path, err := config.Find(c.configFlag)
	if err != nil {
		return &hinted{err, "copy config.example.toml to ~/.config/rekindle/config.toml and edit it"}
	}
	// --at: everything happens as if at that time. It is read in the
	// config's zone, once the daemon has loaded the config.
	var fixed time.Time
	now := func() time.Time {
		if !fixed.IsZero() {
			return fixed
		}
		return c.now()
	}
	d, err := newDaemon(ctx, path, log, now, notifier.Options{Stdout: c.stdout})
	if err != nil {
		return err
	}
	defer d.Close()
	if *at != "" {
		if fixed, err = parseTime(*at, d.cur.Load().cfg.Location); err != nil {
			return err
		}
	}

	if *once {
		l := d.cur.Load()
		t := now()
		res, err := scheduler.RunOnce(ctx, l.cfg, l.tmpl, d.j, t, t)
		if err != nil {
			return err
		}
		log.Info("run", "at", t.Format(time.RFC3339), "due", res.Due, "reminded", res.Reminded,
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
