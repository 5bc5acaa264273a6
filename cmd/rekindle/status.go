package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/mailbox"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

var statusCommand = command{
	name: "status", args: "[--at TIME] [--json]", summary: "everyone's state, last interaction, next reminder and why",
	flags: func(fs *flag.FlagSet) runFunc {
		at := fs.String("at", "", "the state at `TIME` instead of now")
		asJSON := fs.Bool("json", false, "as JSON, one object per person")
		return func(c *cli, ctx context.Context, _ []string) error { return c.status(ctx, *at, *asJSON) }
	},
}

// status prints everyone's state at the time at (now when "").
func (c *cli) status(ctx context.Context, at string, asJSON bool) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	t, err := c.timeFlag(at, cfg)
	if err != nil {
		return err
	}
	c.warn(cfg)
	if len(cfg.Contacts) == 0 && !asJSON {
		fmt.Fprintf(c.stdout, "nobody in %s yet: add a [[contact]] with a name for each person\n", cfg.File)
		return nil
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return err
	}
	st, err := scheduler.Snapshot(ctx, cfg, j, t)
	c.warnSources(ctx, cfg, j)
	var ahead clockAhead
	if err == nil {
		ahead, err = readClockAhead(ctx, cfg, j, c.now())
	}
	j.Close()
	if err != nil {
		return err
	}
	if asJSON {
		for i := range st {
			st[i].LastRunAhead = ahead.last
		}
		return writeStatusJSON(c.stdout, st)
	}
	scheduler.SortByAttention(st)
	var tb table
	occasions := false
	for i := range st {
		occasions = occasions || !st[i].OccasionDay.IsZero()
	}
	if occasions {
		tb.add("NAME", "STATE", "LAST TALKED", "NEXT", "OCCASION", "WHY")
	} else {
		tb.add("NAME", "STATE", "LAST TALKED", "NEXT", "WHY")
	}
	for _, s := range st {
		state := rules.Say(s.State, s.Kind, s.Occasion)
		next := day(s.Next)
		if !s.Next.IsZero() && !s.Next.After(t) {
			// Due already: since when, not a date that reads as missed.
			next = "now, since " + day(s.Next.In(cfg.Location))
		}
		if !occasions {
			tb.add(s.Name, state, day(s.LastInteraction), next, s.Reason)
			continue
		}
		occasion := "-"
		if !s.OccasionDay.IsZero() {
			occasion = s.Occasion + " " + day(s.OccasionDay)
		}
		tb.add(s.Name, state, day(s.LastInteraction), next, occasion, s.Reason)
	}
	if err := tb.write(c.stdout); err != nil {
		return err
	}
	if !ahead.last.IsZero() {
		next := "its next run is at " + ahead.next.Format(stamp)
		if !ahead.next.After(ahead.now) {
			next = "it runs at once for the slot of " + ahead.next.Format(stamp) + ", which was missed"
		}
		_, err := fmt.Fprintf(c.stdout, "\nnote: the last run on record is dated %s, after now (%s): the clock was probably ahead when it ran.\n"+
			"The daemon does not wait for that date: %s.\n",
			ahead.last.Format(stamp), ahead.now.Format(stamp), next)
		return err
	}
	return nil
}

// clockAhead is what status says about a last run dated after now; zero
// when there is none.
type clockAhead struct {
	last, now, next time.Time // the run dated ahead, now, the next slot
}

// readClockAhead looks for a run on record dated after now (the clock was
// ahead when it ran) and finds the slot the daemon goes on at: the one
// after the last run dated before now, else the one after now
// (scheduler.Loop).
func readClockAhead(ctx context.Context, cfg *config.Config, j *journal.Journal, now time.Time) (clockAhead, error) {
	now = now.In(cfg.Location)
	last, err := j.LastSlot(ctx)
	if err != nil || !scheduler.Ahead(last, now) {
		return clockAhead{}, err
	}
	from, err := j.LastSlotAt(ctx, now)
	if err != nil {
		return clockAhead{}, err
	}
	if from.IsZero() {
		from = now
	}
	return clockAhead{last: last.In(cfg.Location), now: now, next: scheduler.NextSlot(cfg.Schedule, from, cfg.Location)}, nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}

// writeStatusJSON streams the status array; see Status.AppendJSON.
func writeStatusJSON(w io.Writer, st []scheduler.Status) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("[")
	var buf []byte
	for i := range st {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		buf = st[i].AppendJSON(buf[:0], "  ")
		bw.Write(buf)
	}
	if len(st) > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// warnSources says on standard error which mail sources are failing, as
// the daemon (or the last sync) found them.
func (c *cli) warnSources(ctx context.Context, cfg *config.Config, j *journal.Journal) {
	if len(cfg.Sources) == 0 {
		return
	}
	states, err := j.SourceStates(ctx)
	if err != nil {
		return
	}
	secrets := cfg.Redactor() // a state file written before secrets were cut
	for _, name := range cfg.SourceNames() {
		s, ok := states[name]
		if !ok || s.FailingSince.IsZero() {
			continue
		}
		what := mailbox.Noun(cfg.Sources[name])
		fmt.Fprintf(c.stderr, "rekindle: warning: the %s %s has been failing since %s: %s\n",
			what, name, s.FailingSince.In(cfg.Location).Format(stamp), secrets.String(s.LastError))
	}
}
