package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/mailbox"
)

var syncCommand = command{
	name: "sync", args: "[SOURCE] [--dry-run | --check]", maxArgs: 1,
	summary: "read the sources once and learn who replied, whom you wrote and whom you met; --dry-run explains each message or meeting and writes nothing; --check only connects",
	flags: func(fs *flag.FlagSet) runFunc {
		dry := fs.Bool("dry-run", false, "write nothing; explain each message or meeting used or left, without subjects, titles or addresses")
		check := fs.Bool("check", false, "only connect and log in, and say so")
		return func(c *cli, ctx context.Context, pos []string) error { return c.sync(ctx, pos, *dry, *check) }
	},
}

// sync reads the mail sources once (one, when named) and learns who wrote
// to whom. With --dry-run it writes nothing and explains every message it
// used or ignored, one line each, without subjects or addresses.
func (c *cli) sync(ctx context.Context, pos []string, dry, check bool) error {
	if dry && check {
		return usagef("sync: --dry-run or --check, not both")
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	names := cfg.SourceNames()
	if len(names) == 0 {
		return hint.With(fmt.Errorf("%s has no [sources.NAME] table", cfg.File), "see docs/sources.md (mail), docs/meetings.md (calendar) or docs/addressbook.md (contacts) for a source to add")
	}
	if len(pos) == 1 {
		if cfg.Sources[pos[0]] == nil {
			msg := fmt.Sprintf("no source %q; the sources are %s", pos[0], strings.Join(names, ", "))
			if s := config.Suggest(pos[0], names); s != "" {
				msg = fmt.Sprintf("no source %q; did you mean %q?", pos[0], s)
			}
			return usagef("sync: %s", msg)
		}
		names = pos
	}
	// A number no call can match makes a call with that person "a number
	// of nobody" in the dry run below: say which, and why, first.
	for _, line := range unmatchable(cfg) {
		fmt.Fprintf(c.stderr, "rekindle: warning: %s\n", line)
	}
	if check {
		return c.checkSources(ctx, cfg, names)
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return err
	}
	defer j.Close()
	people := mailbox.NewPeople(cfg)
	secrets := cfg.Redactor()
	streaming() // after the config: its reading keeps what it makes
	failed := 0
	// The report goes out in one write a source: a tabwriter writes each
	// cell and each pad on its own.
	out := bufio.NewWriterSize(c.stdout, 64<<10)
	defer out.Flush()
	for _, name := range names {
		src := cfg.Sources[name]
		if src.ReadsPeople() {
			out.Flush() // the reports in the order of the sources
			err := c.syncPeople(ctx, cfg, j, src, dry, secrets)
			if ctx.Err() != nil {
				return errSyncStopped
			}
			if err != nil {
				failed++
			}
			continue
		}
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		// Stamped when written (Clock), as the daemon's: a sync runs beside
		// the daemon, whose reminders enqueued while it read are checked
		// against what it wrote since.
		s := &mailbox.Sync{Source: src, People: people, Store: j, Now: c.now().In(cfg.Location), DryRun: dry, Clock: c.now}
		// A tabwriter holds every line until it is flushed: a phone's
		// backup of a million calls is flushed a thousand lines at a time,
		// each block aligned on its own, so its report takes no memory.
		lines := 0
		flushEvery := func() {
			if lines++; lines%1000 == 0 {
				w.Flush()
			}
		}
		if dry {
			s.Seen = func(x mailbox.Seen) { writeSeen(w, name, x, cfg); flushEvery() }
		} else {
			s.Learned = func(e journal.Event) {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, e.At.In(cfg.Location).Format(stamp), e.Kind, e.Contact)
				flushEvery()
			}
		}
		res, err := s.Run(ctx)
		err = secrets.Error(err) // a server may echo the login
		w.Flush()
		if ctx.Err() != nil {
			return errSyncStopped
		}
		if !dry {
			j.RecordSync(ctx, name, c.now(), err)
		}
		if err != nil {
			failed++
			out.Flush() // what it learned before the error, then the error
			fmt.Fprintf(c.stderr, "rekindle: error: %v\n", err)
			if h := hint.Of(err); h != "" {
				fmt.Fprintf(c.stderr, "rekindle: hint: %s\n", h)
			}
			continue
		}
		learned := fmt.Sprintf("%s learned", plural(res.Added, "event", "events"))
		if dry {
			learned = "nothing written (dry run)"
		}
		read := plural(res.Read, "message", "messages")
		switch {
		case mailbox.IsCalendar(src.Type):
			read = plural(res.Read, "meeting", "meetings")
		case src.Type == "phonebackup":
			read = plural(res.Read, "call or text", "calls and texts")
		}
		fmt.Fprintf(out, "%s: %s read, %d used, %d ignored, %d unreadable; %s\n",
			name, read, res.Used, res.Ignored, res.Malformed, learned)
		out.Flush()
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}

// errSyncStopped ends sync on SIGINT or SIGTERM: the connection to the server
// is cut at once, whatever the server does, and what the folder in
// progress taught is not recorded (the next sync reads it again).
var errSyncStopped = errors.New("sync stopped by a signal; what it was reading is read again next time")

// writeSeen writes one line of a dry run: when, which folder, what it
// taught or why nothing.
func writeSeen(w *tabwriter.Writer, source string, x mailbox.Seen, cfg *config.Config) {
	when := "-"
	if !x.Date.IsZero() {
		when = x.Date.In(cfg.Location).Format(stamp)
	}
	switch {
	case x.Problem != "":
		fmt.Fprintf(w, "%s\t%s\t%s\tunreadable\t%s\n", source, x.Role, when, x.Problem)
	case x.Learned.Ignored != "":
		fmt.Fprintf(w, "%s\t%s\t%s\tignored\t%s\n", source, x.Role, when, x.Learned.Ignored)
	default:
		for _, e := range x.Learned.Events {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", source, x.Role, when, e.Kind, strings.TrimSpace(e.Contact+"  "+x.Learned.Note))
		}
	}
}

// checkSources connects to each source and finds its folders, reading no
// message: one line each, ok with the folders or the error with its fix,
// as test-notify does for channels.
func (c *cli) checkSources(ctx context.Context, cfg *config.Config, names []string) error {
	failed := 0
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	secrets := cfg.Redactor()
	for _, name := range names {
		folders, err := mailbox.Check(ctx, cfg.Sources[name])
		if ctx.Err() != nil {
			w.Flush()
			return errSyncStopped
		}
		err = secrets.Error(err) // a server may echo the login
		if err != nil {
			failed++
			fmt.Fprintf(w, "%s\t%s\tFAILED: %s\n", name, cfg.Sources[name].Type, hint.Line(err))
			continue
		}
		fmt.Fprintf(w, "%s\t%s\tok: %s\n", name, cfg.Sources[name].Type, strings.Join(folders, ", "))
	}
	w.Flush()
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
