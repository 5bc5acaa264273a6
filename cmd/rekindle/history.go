package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/rekindle/rekindle/journal"
)

var historyCommand = command{
	name: "history", args: "[PERSON] [--limit N]", summary: "logged events and deliveries, newest first",
	maxArgs: 1,
	flags: func(fs *flag.FlagSet) runFunc {
		limit := fs.Int("limit", 50, "show at most `N` entries")
		return func(c *cli, ctx context.Context, pos []string) error { return c.history(ctx, pos, *limit) }
	},
}

// history prints the history of the person in pos, or of everyone.
func (c *cli) history(ctx context.Context, pos []string, limit int) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	id := ""
	if len(pos) == 1 {
		p, err := cfg.Resolve(pos[0])
		if err != nil {
			return err
		}
		id = p.ID
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return err
	}
	defer j.Close()
	secrets := cfg.Redactor() // a state file written before secrets were cut
	entries, err := j.Timeline(ctx, id, limit)
	if err != nil {
		return err
	}
	type line struct {
		at              time.Time
		who, what, note string
	}
	var lines []line
	name := func(id string) string {
		if p, ok := cfg.Lookup(id); ok {
			return p.Name
		}
		return id
	}
	for _, en := range entries {
		if e := en.Event; e != nil {
			what := string(e.Kind)
			if e.Kind == journal.Snooze {
				what += " until " + e.Until.In(cfg.Location).Format(stamp)
			}
			if e.Source != "cli" {
				what += " (" + e.Source + ")"
			}
			lines = append(lines, line{en.At, name(e.Contact), what, e.Note})
			continue
		}
		d := en.Delivery
		who := name(d.Contact)
		what := fmt.Sprintf("reminder %s via %s: ", d.Kind, d.Channel)
		if d.Kind == journal.ChannelFailed {
			who, what = "-", fmt.Sprintf("notice that channel %s failed, via %s: ", d.Contact, d.Channel)
		}
		switch d.State {
		case journal.Sent:
			what += "sent"
		case journal.Failed:
			what += "failed: " + secrets.String(d.LastError)
		case journal.Cancelled:
			what += "cancelled: " + secrets.String(d.LastError)
		default:
			what += fmt.Sprintf("pending, next try %s", d.NextTry.In(cfg.Location).Format(stamp))
			if d.LastError != "" {
				what += "; last error: " + secrets.String(d.LastError)
			}
		}
		lines = append(lines, line{en.At, who, what, ""})
	}
	if len(lines) == 0 {
		fmt.Fprintln(c.stdout, "nothing logged yet")
		return nil
	}
	var tb table
	tb.add("WHEN", "WHO", "WHAT", "NOTE")
	for _, l := range lines {
		tb.add(l.at.In(cfg.Location).Format(stamp), l.who, l.what, l.note)
	}
	return tb.write(c.stdout)
}
