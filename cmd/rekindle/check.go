package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/rekindle/rekindle/addressbook"
	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/phone"
	"github.com/rekindle/rekindle/scheduler"
)

var checkCommand = command{
	name: "check", summary: "validate the config",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.check() }),
}

func (c *cli) check() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if _, err := compose.NewTemplates(cfg.Templates); err != nil {
		return hint.With(fmt.Errorf("%s: %w", cfg.File, err), "see the list of template fields in docs/channels.md, \"Messages\"")
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
		fmt.Fprintf(c.stdout, "  nobody in it yet: add a [[contact]] with a name for each person (see docs/config.md)\n")
	} else {
		fmt.Fprintf(c.stdout, "  %s, %s\n", plural(len(cfg.Contacts), "contact", "contacts"), plural(len(cfg.Groups), "group", "groups"))
	}
	if addressbook.HasPeople(cfg) {
		// With an address book, people come from two places.
		fmt.Fprintf(c.stdout, "  where each person comes from:\n")
		w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		for i := range cfg.Contacts {
			fmt.Fprintf(w, "    %s\t%s\t%s\n", cfg.Contacts[i].ID, cfg.Contacts[i].Name, cfg.From(cfg.Contacts[i].ID))
		}
		w.Flush()
	}
	if len(cfg.Included) > 0 {
		fmt.Fprintf(c.stdout, "  included: %s\n", strings.Join(cfg.Included, ", "))
	}
	fmt.Fprintf(c.stdout, "  channels: %s\n", channels)
	fmt.Fprintf(c.stdout, "  schedule: %q in %s; next run %s\n", cfg.ScheduleSpec, zone, next.Format(stamp+" MST"))
	if cfg.QuietHours.Set {
		fmt.Fprintf(c.stdout, "  quiet hours: %s\n", cfg.QuietHours)
	}
	c.warn(cfg)
	return nil
}

// warn prints the config's warnings (dates after today, an include that
// matches nothing, a number no call can match) on standard error.
func (c *cli) warn(cfg *config.Config) {
	var lines []string
	if w := cfg.Warnings(c.now()); w != nil {
		lines = strings.Split(w.Error(), "\n")
	}
	lines = append(lines, unmatchable(cfg)...)
	for _, line := range lines {
		fmt.Fprintf(c.stderr, "rekindle: warning: %s\n", line)
	}
}

// unmatchable lists, when calls and texts are learned, the people's
// numbers that none can match, each with whose it is and why.
func unmatchable(cfg *config.Config) []string {
	if !cfg.LearnsCalls() {
		return nil
	}
	return phone.NewBook(cfg).Unread()
}
