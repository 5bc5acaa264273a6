package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/rekindle/rekindle/calendar"
	"github.com/rekindle/rekindle/scheduler"
)

func (c *cli) plan(ctx context.Context, args []string) error {
	fsp := flag.NewFlagSet("plan", flag.ContinueOnError)
	from := fsp.String("from", "", "")
	days := fsp.Int("days", 14, "")
	asJSON := fsp.Bool("json", false, "")
	ics := fsp.Bool("ics", false, "")
	if _, err := parseFlags(fsp, args, 0, 0, "[--from TIME] [--days N] [--json | --ics]"); err != nil {
		return err
	}
	if *asJSON && *ics {
		return usagef("plan: --json or --ics, not both")
	}
	if *days < 1 || *days > 3660 {
		return usagef("plan: --days must be between 1 and 3660, not %d", *days)
	}
	cfg, people, hist, err := c.people(ctx)
	if err != nil {
		return err
	}
	start, err := c.timeFlag(*from, cfg)
	if err != nil {
		return err
	}
	plan := scheduler.Plan(cfg, people, hist, start, start.AddDate(0, 0, *days))
	if *ics {
		return calendar.Write(c.stdout, plan, calendar.Options{Now: c.now(), Link: calendar.PersonLinks(cfg, cfg.Listen, c.now())})
	}
	// Streamed: a year of reminders for thousands of people is long.
	w := bufio.NewWriterSize(c.stdout, 64<<10)
	n := 0
	if *asJSON {
		w.WriteString("[")
		for p := range plan {
			if n > 0 {
				w.WriteByte(',')
			}
			n++
			fmt.Fprintf(w, "\n  {\n    \"at\": %q,\n    \"id\": ", p.At.Format(time.RFC3339))
			w.Write(scheduler.AppendJSONString(nil, p.Contact.ID))
			fmt.Fprintf(w, ",\n    \"kind\": %q", p.Kind)
			if name, day := p.Occasion(); name != "" {
				w.WriteString(",\n    \"occasion\": ")
				w.Write(scheduler.AppendJSONString(nil, name))
				fmt.Fprintf(w, ",\n    \"date\": %q", day.Format(time.DateOnly))
			}
			w.WriteString("\n  }")
		}
		if n > 0 {
			w.WriteByte('\n')
		}
		w.WriteString("]\n")
		return w.Flush()
	}
	width := len("WHO")
	for i := range cfg.Contacts {
		width = max(width, utf8.RuneCountInString(cfg.Contacts[i].Name))
	}
	for p := range plan {
		if n == 0 {
			fmt.Fprintf(w, "%-20s  %-*s  %s\n", "WHEN", width, "WHO", "REMINDER")
		}
		n++
		what := string(p.Kind)
		if name, day := p.Occasion(); name != "" {
			what += ": " + name + " " + day.Format("Mon 2 Jan")
		}
		fmt.Fprintf(w, "%-20s  %-*s  %s\n", p.At.Format("Mon "+stamp), width, p.Contact.Name, what)
	}
	if n == 0 {
		fmt.Fprintf(w, "no reminders in the %d days after %s\n", *days, start.Format(stamp))
	}
	return w.Flush()
}
