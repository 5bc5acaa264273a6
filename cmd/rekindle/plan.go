package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/rekindle/rekindle/calendar"
	"github.com/rekindle/rekindle/scheduler"
)

var planCommand = command{
	name: "plan", args: "[--from TIME] [--days N] [--json | --ics]",
	summary: "the reminders the coming days would bring; --ics: as a calendar file",
	flags: func(fs *flag.FlagSet) runFunc {
		var f planFlags
		fs.StringVar(&f.from, "from", "", "plan from `TIME` instead of now")
		fs.IntVar(&f.days, "days", 14, "plan `N` days ahead (1 to 3660)")
		fs.BoolVar(&f.asJSON, "json", false, "as JSON")
		fs.BoolVar(&f.ics, "ics", false, "as an iCalendar file")
		return func(c *cli, ctx context.Context, _ []string) error { return c.plan(ctx, f) }
	},
}

type planFlags struct {
	from        string
	days        int
	asJSON, ics bool
}

// plan prints the reminders the coming days would bring.
func (c *cli) plan(ctx context.Context, f planFlags) error {
	if f.asJSON && f.ics {
		return usagef("plan: --json or --ics, not both")
	}
	if f.days < 1 || f.days > 3660 {
		return usagef("plan: --days must be between 1 and 3660, not %d", f.days)
	}
	cfg, people, hist, start, err := c.people(ctx, f.from)
	if err != nil {
		return err
	}
	plan := scheduler.Plan(cfg, people, hist, start, start.AddDate(0, 0, f.days))
	if f.ics {
		return calendar.Write(c.stdout, plan, calendar.Options{Now: c.now(), Link: calendar.PersonLinks(cfg, cfg.Listen)})
	}
	// Streamed: a year of reminders for thousands of people is long.
	w := bufio.NewWriterSize(c.stdout, 64<<10)
	n := 0
	if f.asJSON {
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
		width = max(width, displayWidth(cfg.Contacts[i].Name))
	}
	for p := range plan {
		if n == 0 {
			fmt.Fprintf(w, "%-20s  %s  %s\n", "WHEN", padRight("WHO", width), "REMINDER")
		}
		n++
		what := p.Kind.Words()
		if name, day := p.Occasion(); name != "" {
			what = name + " on " + day.Format("Mon 2 Jan")
		}
		fmt.Fprintf(w, "%-20s  %s  %s\n", p.At.Format("Mon "+stamp), padRight(p.Contact.Name, width), what)
	}
	if n == 0 {
		fmt.Fprintf(w, "no reminders in the %d days after %s\n", f.days, start.Format(stamp))
	}
	return w.Flush()
}
