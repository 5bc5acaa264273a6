package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
	"github.com/rekindle/rekindle/web"
)

func (c *cli) loadConfig() (*config.Config, error) {
	path, err := config.Find(c.configFlag)
	if err != nil {
		return nil, &hinted{err, "run 'rekindle init' for a starter config, or pass --config"}
	}
	cfg, err := config.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &hinted{err, "pass --config with the path of your config file"}
	}
	return cfg, err
}

func (c *cli) openJournal(ctx context.Context) (*journal.Journal, error) {
	path, err := journal.DefaultPath()
	if err != nil {
		return nil, err
	}
	return journal.Open(ctx, path)
}

// people loads the config, the journal's events and what the outbox has
// sent.
func (c *cli) people(ctx context.Context) (*config.Config, []scheduler.Person, map[journal.Identity]journal.Enqueued, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, nil, nil, err
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	defer j.Close()
	events, err := j.Events(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	hist, err := j.Reminded(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return cfg, scheduler.People(cfg, events), hist, nil
}

// parseTime reads a --at or --from value: RFC 3339, a local date-time
// (2026-11-30T18:00) or a day (2026-11-30, the start of that day), the last
// two in the configured zone.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err == nil {
		t = t.In(loc)
	} else {
		for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err = time.ParseInLocation(layout, s, loc); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, usagef("invalid time %q: use RFC 3339 (2026-11-30T18:00:00+01:00) or a day (2026-11-30)", s)
	}
	if err := journal.CheckTime(t); err != nil {
		return time.Time{}, usagef("invalid time %q: %v", s, err)
	}
	return t, nil
}

func (c *cli) timeFlag(s string, cfg *config.Config) (time.Time, error) {
	if s == "" {
		return c.now().In(cfg.Location), nil
	}
	return parseTime(s, cfg.Location)
}

const stamp = "2006-01-02 15:04"

func (c *cli) version(args []string) error {
	fsv := flag.NewFlagSet("version", flag.ContinueOnError)
	if _, err := parseFlags(fsv, args, 0, 0, ""); err != nil {
		return err
	}
	b := web.Build()
	fmt.Fprintf(c.stdout, "rekindle %s\n", b.Version)
	if b.Revision != "" {
		dirty := ""
		if b.Modified {
			dirty = " (modified)"
		}
		fmt.Fprintf(c.stdout, "commit %s%s %s\n", b.Revision, dirty, b.Time)
	}
	fmt.Fprintf(c.stdout, "built with %s\n", b.GoVersion)
	return nil
}

func (c *cli) check(args []string) error {
	fsc := flag.NewFlagSet("check", flag.ContinueOnError)
	if _, err := parseFlags(fsc, args, 0, 0, ""); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if _, err := notifier.NewTemplates(cfg.Templates); err != nil {
		return &hinted{fmt.Errorf("%s: %w", cfg.File, err), "see the README's list of template fields"}
	}
	zone := cfg.Timezone
	if zone == "" {
		zone = "the system's zone"
	}
	channels := strings.Join(cfg.ChannelNames(), ", ")
	if channels == "" {
		channels = "none (reminders go to standard output)"
	}
	next := scheduler.NextSlot(cfg.Schedule, c.now(), cfg.Location)
	fmt.Fprintf(c.stdout, "%s: ok\n", cfg.File)
	if len(cfg.Contacts) == 0 {
		fmt.Fprintf(c.stdout, "  nobody in it yet: add a [[contact]] with a name for each person (see the README)\n")
	} else {
		fmt.Fprintf(c.stdout, "  %s, %s\n", plural(len(cfg.Contacts), "contact", "contacts"), plural(len(cfg.Groups), "group", "groups"))
	}
	fmt.Fprintf(c.stdout, "  channels: %s\n", channels)
	fmt.Fprintf(c.stdout, "  schedule: %q in %s; next run %s\n", cfg.ScheduleSpec, zone, next.Format(stamp+" MST"))
	if cfg.QuietHours.Set {
		fmt.Fprintf(c.stdout, "  quiet hours: %s\n", cfg.QuietHours)
	}
	c.warn(cfg)
	return nil
}

// warn prints the config's warnings (dates after today) on standard error.
func (c *cli) warn(cfg *config.Config) {
	w := cfg.Warnings(c.now())
	if w == nil {
		return
	}
	for _, line := range strings.Split(w.Error(), "\n") {
		fmt.Fprintf(c.stderr, "rekindle: warning: %s\n", line)
	}
}

// stateOrder puts who needs attention first in the status table.
var stateOrder = map[rules.State]int{
	rules.Due: 0, rules.LetBe: 1, rules.Waiting: 2, rules.CoolingDown: 3,
	rules.OK: 4, rules.Snoozed: 5, rules.Paused: 6,
}

func (c *cli) status(ctx context.Context, args []string) error {
	fss := flag.NewFlagSet("status", flag.ContinueOnError)
	at := fss.String("at", "", "")
	asJSON := fss.Bool("json", false, "")
	if _, err := parseFlags(fss, args, 0, 0, "[--at TIME] [--json]"); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	t, err := c.timeFlag(*at, cfg)
	if err != nil {
		return err
	}
	c.warn(cfg)
	if len(cfg.Contacts) == 0 && !*asJSON {
		fmt.Fprintf(c.stdout, "nobody in %s yet: add a [[contact]] with a name for each person\n", cfg.File)
		return nil
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return err
	}
	st, err := scheduler.Snapshot(ctx, cfg, j, t)
	j.Close()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeStatusJSON(c.stdout, st)
	}
	sort.SliceStable(st, func(i, j int) bool {
		a, b := st[i], st[j]
		if stateOrder[a.State] != stateOrder[b.State] {
			return stateOrder[a.State] < stateOrder[b.State]
		}
		return a.Next.Before(b.Next)
	})
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSTATE\tLAST TALKED\tNEXT\tWHY")
	for _, s := range st {
		state := string(s.State)
		switch {
		case s.State == rules.LetBe && s.Kind == rules.LetBeNotice:
			state += " (notice)"
		case s.Kind != rules.None:
			state += " (" + string(s.Kind) + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Name, state, day(s.LastInteraction), day(s.Next), s.Reason)
	}
	return w.Flush()
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

func (c *cli) plan(ctx context.Context, args []string) error {
	fsp := flag.NewFlagSet("plan", flag.ContinueOnError)
	from := fsp.String("from", "", "")
	days := fsp.Int("days", 14, "")
	asJSON := fsp.Bool("json", false, "")
	if _, err := parseFlags(fsp, args, 0, 0, "[--from TIME] [--days N] [--json]"); err != nil {
		return err
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
			fmt.Fprintf(w, ",\n    \"kind\": %q\n  }", p.Kind)
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
		fmt.Fprintf(w, "%-20s  %-*s  %s\n", p.At.Format("Mon "+stamp), width, p.Contact.Name, p.Kind)
	}
	if n == 0 {
		fmt.Fprintf(w, "no reminders in the %d days after %s\n", *days, start.Format(stamp))
	}
	return w.Flush()
}

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
	if e.Kind == journal.LetBe || e.Kind == journal.Resume {
		events, err := j.EventsOf(ctx, p.ID)
		if err != nil {
			return err
		}
		person := scheduler.PersonOf(cfg, p, events)
		if why := person.Redundant(e.Kind, now); why != "" {
			fmt.Fprintln(c.stdout, why)
			return nil
		}
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

func (c *cli) history(ctx context.Context, args []string) error {
	fsh := flag.NewFlagSet("history", flag.ContinueOnError)
	limit := fsh.Int("limit", 50, "")
	pos, err := parseFlags(fsh, args, 0, 1, "[PERSON] [--limit N]")
	if err != nil {
		return err
	}
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
	entries, err := j.Timeline(ctx, id, *limit)
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
			what += "failed: " + d.LastError
		case journal.Cancelled:
			what += "cancelled: " + d.LastError
		default:
			what += fmt.Sprintf("pending, next try %s", d.NextTry.In(cfg.Location).Format(stamp))
			if d.LastError != "" {
				what += "; last error: " + d.LastError
			}
		}
		lines = append(lines, line{en.At, who, what, ""})
	}
	if len(lines) == 0 {
		fmt.Fprintln(c.stdout, "nothing logged yet")
		return nil
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WHEN\tWHO\tWHAT\tNOTE")
	for _, l := range lines {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", l.at.In(cfg.Location).Format(stamp), l.who, c.safe(l.what), c.safe(l.note))
	}
	return w.Flush()
}
