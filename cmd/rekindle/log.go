package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

var logCommand = command{
	name: "log", args: "PERSON KIND [--at TIME] [--note TEXT]",
	summary: "record what happened; KIND is talked, replied, reached-out or fallout",
	minArgs: 2, maxArgs: 2,
	flags: func(fs *flag.FlagSet) runFunc {
		at := fs.String("at", "", "the `TIME` it happened, when not now")
		note := fs.String("note", "", "a short `TEXT` to keep with it")
		return func(c *cli, ctx context.Context, pos []string) error { return c.log(ctx, pos, *at, *note) }
	},
}

// log records an event of the kind pos[1] with the person pos[0].
func (c *cli) log(ctx context.Context, pos []string, at, note string) error {
	kind := journal.Kind(pos[1])
	if !kind.Logged() {
		if s := config.Suggest(pos[1], []string{"talked", "replied", "reached-out", "fallout"}); s != "" {
			return usagef("log: unknown kind %q; did you mean %q?", pos[1], s)
		}
		return usagef("log: unknown kind %q; use talked, replied, reached-out or fallout", pos[1])
	}
	return c.record(ctx, pos[0], at, func(p *config.Contact, t time.Time) (journal.Event, string) {
		e := journal.Event{Kind: kind, At: t, Note: note}
		return e, fmt.Sprintf("logged %s with %s on %s", kind, p.Name, t.Format(stamp))
	})
}

var snoozeCommand = command{
	name: "snooze", args: "PERSON DURATION", summary: "no reminders about PERSON for a while (\"3d\", \"2w\")",
	minArgs: 2, maxArgs: 2,
	flags: noFlags(func(c *cli, ctx context.Context, pos []string) error { return c.snooze(ctx, pos[0], pos[1]) }),
}

// snooze records a snooze of who for the span in duration.
func (c *cli) snooze(ctx context.Context, who, duration string) error {
	d, err := rules.ParseDuration(duration)
	if err != nil {
		return usagef("snooze: %v", err)
	}
	if d.IsZero() {
		return usagef("snooze: a snooze of 0 does nothing; to end a snooze, use resume")
	}
	return c.record(ctx, who, "", func(p *config.Contact, t time.Time) (journal.Event, string) {
		until := d.After(t)
		return journal.Event{Kind: journal.Snooze, At: t, Until: until},
			fmt.Sprintf("snoozed %s until %s", p.Name, until.Format(stamp))
	})
}

var (
	letBeCommand = command{
		name: "let-be", args: "PERSON", summary: "no reminders about PERSON until resume", minArgs: 1, maxArgs: 1,
		flags: noFlags(func(c *cli, ctx context.Context, pos []string) error { return c.decide(ctx, "let-be", pos[0]) }),
	}
	resumeCommand = command{
		name: "resume", args: "PERSON", summary: "end a snooze or let-be", minArgs: 1, maxArgs: 1,
		flags: noFlags(func(c *cli, ctx context.Context, pos []string) error { return c.decide(ctx, "resume", pos[0]) }),
	}
)

// decide records a let-be or a resume for who.
func (c *cli) decide(ctx context.Context, what, who string) error {
	return c.record(ctx, who, "", func(p *config.Contact, t time.Time) (journal.Event, string) {
		if what == "let-be" {
			return journal.Event{Kind: journal.LetBe, At: t},
				fmt.Sprintf("letting %s be: no reminders until 'rekindle resume %s'", p.Name, p.ID)
		}
		return journal.Event{Kind: journal.Resume, At: t}, fmt.Sprintf("resumed %s", p.Name)
	})
}

// record resolves the person, writes the event make returns, and prints
// what was done and the person's state after it.
func (c *cli) record(ctx context.Context, who, at string, make func(*config.Contact, time.Time) (journal.Event, string)) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	p, err := cfg.Resolve(who)
	if err != nil {
		return err
	}
	now := c.now().In(cfg.Location)
	t := now // one reading of the clock: the state said after the event counts it
	if at != "" {
		if t, err = parseTime(at, cfg.Location); err != nil {
			return err
		}
	}
	e, done := make(p, t)
	e.Contact, e.Source, e.Logged = p.ID, "cli", now
	// The limits live in journal; checked before the state file is opened.
	var ie *journal.InvalidError
	if err := e.Check(now); errors.As(err, &ie) && ie.Future {
		return hint.With(fmt.Errorf("%s is in the future", t.Format(stamp)), "log what has happened; rekindle plans the rest")
	} else if err != nil {
		return usagef("%s: %v", e.Kind, err)
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return err
	}
	defer j.Close()
	if why, err := scheduler.Redundant(ctx, cfg, j, p, e.Kind, now); err != nil {
		return err
	} else if why != "" {
		fmt.Fprintln(c.stdout, why)
		return nil
	}
	if _, err := j.Add(ctx, e); err != nil {
		return err
	}
	events, err := j.EventsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, done)
	person := scheduler.PersonOf(cfg, p, events)
	r := person.Evaluate(now)
	fmt.Fprintf(c.stdout, "%s is now %s: %s\n", p.Name, r.State.Words(), r.Reason(now))
	return nil
}
