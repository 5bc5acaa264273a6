package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

func (c *cli) log(ctx context.Context, args []string) error {
	fsl := flag.NewFlagSet("log", flag.ContinueOnError)
	at := fsl.String("at", "", "")
	note := fsl.String("note", "", "")
	pos, err := parseFlags(fsl, args, 2, 2, "PERSON talked|replied|reached-out|fallout [--at TIME] [--note TEXT]")
	if err != nil {
		return err
	}
	kind := journal.Kind(pos[1])
	if !kind.Logged() {
		if s := config.Suggest(pos[1], []string{"talked", "replied", "reached-out", "fallout"}); s != "" {
			return usagef("log: unknown kind %q; did you mean %q?", pos[1], s)
		}
		return usagef("log: unknown kind %q; use talked, replied, reached-out or fallout", pos[1])
	}
	return c.record(ctx, pos[0], *at, func(p *config.Contact, t time.Time) (journal.Event, string) {
		e := journal.Event{Kind: kind, At: t, Note: *note}
		return e, fmt.Sprintf("logged %s with %s on %s", kind, p.Name, t.Format(stamp))
	})
}

func (c *cli) snooze(ctx context.Context, args []string) error {
	fss := flag.NewFlagSet("snooze", flag.ContinueOnError)
	pos, err := parseFlags(fss, args, 2, 2, "PERSON DURATION")
	if err != nil {
		return err
	}
	d, err := rules.ParseDuration(pos[1])
	if err != nil {
		return usagef("snooze: %v", err)
	}
	if d.IsZero() {
		return usagef("snooze: a snooze of 0 does nothing; to end a snooze, use resume")
	}
	return c.record(ctx, pos[0], "", func(p *config.Contact, t time.Time) (journal.Event, string) {
		until := d.After(t)
		return journal.Event{Kind: journal.Snooze, At: t, Until: until},
			fmt.Sprintf("snoozed %s until %s", p.Name, until.Format(stamp))
	})
}

func (c *cli) decide(ctx context.Context, what string, args []string) error {
	fsd := flag.NewFlagSet(what, flag.ContinueOnError)
	pos, err := parseFlags(fsd, args, 1, 1, "PERSON")
	if err != nil {
		return err
	}
	return c.record(ctx, pos[0], "", func(p *config.Contact, t time.Time) (journal.Event, string) {
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
	t, err := c.timeFlag(at, cfg)
	if err != nil {
		return err
	}
	e, done := make(p, t)
	e.Contact, e.Source, e.Logged = p.ID, "cli", now
	// The limits live in journal; checked before the state file is opened.
	var ie *journal.InvalidError
	if err := e.Check(now); errors.As(err, &ie) && ie.Future {
		return &hinted{fmt.Errorf("%s is in the future", t.Format(stamp)), "log what has happened; rekindle plans the rest"}
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
	fmt.Fprintf(c.stdout, "%s is now %s: %s\n", p.Name, r.State, r.Reason(now))
	return nil
}
