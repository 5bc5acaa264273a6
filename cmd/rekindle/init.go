package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rekindle/rekindle/internal/hint"
)

// starter is the config `rekindle init` writes: everything a first day
// needs, and nobody in it, so that no reminder goes out about a stranger.
const starter = `# rekindle's config: the people who matter to you, and how you want to be
# reminded. rekindle never writes this file; edit it as you like, then
# 'rekindle check'. Every setting is explained in docs/config.md
# (/usr/share/doc/rekindle/docs/ with the package).

# timezone = "Europe/Berlin"   # default: this machine's
schedule = "0 9 * * *"         # when to look who is due: 09:00 every day
# quiet_hours = "22:00-08:00"  # hold reminders during the night

[defaults]
every = "30d"                  # a check-in when 30 days pass without talking

# Where reminders go. With no channel they are printed by 'rekindle run'.
# [channels.phone]
# type  = "ntfy"
# url   = "https://ntfy.sh"
# topic = "a-long-random-topic"
#
# [channels.desk]
# type = "desktop"

# One [[contact]] per person. Below is one of each situation the rules
# know; remove the # signs of one and fill in someone real.
#
# A friend to keep up with: a reminder when "every" passes without talking.
# [[contact]]
# name = "Alice Moreau"
# last_interaction = 2026-11-20   # the day you last really talked
# every = "2w"                    # this person: every two weeks
# interests = ["chess"]           # conversation starters for the reminder
# notes = "Started a new job."    # only you read this
# email = ["alice@example.org"]   # how mail tells rekindle she replied
# phone = ["+33 6 12 34 56 78"]   # shown on her page, for a call
#
# After a falling-out: nothing until the cooldown is over.
# [[contact]]
# name = "Bob Okafor"
# last_interaction = 2026-09-01
# fallout = 2026-11-20            # the day of the argument
# cooldown = "21d"                # give him three weeks
#
# A message that got no answer: one follow-up after a while, then a
# "let them be" notice, then silence until they reply.
# [[contact]]
# name = "Dana Whitfield"
# last_interaction = 2026-08-15
# reached_out = [2026-11-22]      # the days you wrote and heard nothing
#
# A birthday: a reminder on the day, whatever else the rules say.
# [[contact]]
# name = "Mum"
# birthday = 1958-03-14           # or "--03-14" without the year
# every = "1w"
`

var initCommand = command{
	name: "init", summary: "write a starter config at the default path (never over one)",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.init() }),
}

// init writes the starter config at the path the other commands look at
// first (--config, $REKINDLE_CONFIG, else $XDG_CONFIG_HOME/rekindle).
func (c *cli) init() error {
	path := c.configFlag
	if path == "" {
		path = os.Getenv("REKINDLE_CONFIG")
	}
	if path == "" {
		dir := os.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return hint.With(err, "pass --config with the path to write")
			}
			dir = filepath.Join(home, ".config")
		}
		path = filepath.Join(dir, "rekindle", "config.toml")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// O_EXCL: an existing file, even one created a moment ago, is kept.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return hint.With(fmt.Errorf("%s exists; rekindle never writes over a config", path),
			"edit it, or move it away first to start afresh")
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(starter); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, `wrote %s, with nobody in it yet.
next:
  1. add the people who matter to you: %s
     (or bring them from your phone: rekindle import contacts.vcf, see docs/import.md)
  2. rekindle check        (is the config right?)
  3. rekindle status       (who is due, and why)
  4. rekindle run          (the daemon; or install the user service, see docs/service.md)
`, path, editorLine(path))
	return nil
}

func editorLine(path string) string {
	if e := os.Getenv("EDITOR"); e != "" {
		return e + " " + path
	}
	return "open " + path + " in your editor"
}
