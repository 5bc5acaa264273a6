package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rekindle/rekindle/web"
)

// manual prints the manual page, rekindle(1), in roff: the commands and
// their flags come from the command table, as the help does; the rest
// says in short what the README says at length. The release script
// (dist/release.sh) installs it; TestManualPage reads it with groff.
func (c *cli) manual() error {
	writeManual(c.stdout, web.Build())
	return nil
}

func writeManual(w io.Writer, b web.BuildInfo) {
	date := ""
	if len(b.Time) >= len("2006-01-02") {
		date = b.Time[:len("2006-01-02")]
	}
	fmt.Fprintf(w, ".TH REKINDLE 1 %s %s \"User Commands\"\n", roffQuote(date), roffQuote("rekindle "+b.Version))
	fmt.Fprint(w, `.SH NAME
rekindle \- reminders to keep in touch with the people who matter
.SH SYNOPSIS
.B rekindle
.RB [ \-\-config
.IR PATH ]
.I COMMAND
.RI [ ARGS ]
.SH DESCRIPTION
.B rekindle
reads a list of people and when you last talked from a TOML file, applies a
few rules about relationships on a schedule, and reminds you on your phone
or desktop (ntfy, email, Slack, desktop notifications and others) when and
how to reach out.
It never messages the people themselves, and never rewrites your file.
It learns who replied and whom you wrote from your mail (IMAP or Maildir),
when you tell it.
.SH COMMANDS
`)
	for _, cmd := range commands {
		fmt.Fprintf(w, ".TP\n\\fB%s\\fR", roffEscape(cmd.name))
		if cmd.args != "" {
			fmt.Fprintf(w, " %s", roffEscape(cmd.args))
		}
		fmt.Fprintf(w, "\n%s\n", roffText(sentence(cmd.summary)))
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, ".RS\n.TP\n\\fB\\-\\-%s\\fR", roffEscape(f.Name))
			if name != "" {
				fmt.Fprintf(w, " \\fI%s\\fR", roffEscape(name))
			}
			fmt.Fprintf(w, "\n%s\n.RE\n", roffText(sentence(usage)))
		})
	}
	fmt.Fprint(w, `.PP
.I PERSON
is an id, or a name or unique prefix of one, in any case.
.I TIME
is RFC 3339 (2026\-11\-30T18:00:00+01:00) or a day (2026\-11\-30, its start in the
configured time zone).
.SH THE RULES
.TP
.B cooldown
After a fallout, the other person is given time: no reminder before the
cooldown ends.
.TP
.B no flooding
After a message that got no answer, rekindle waits before it suggests a
follow\-up; after one last try it sends one \(lqlet them be\(rq notice and stays
silent until they reply.
.TP
.B cadence
When it has been longer than a person's
.B every
since you last talked, rekindle reminds you; a repeat comes after longer and
longer gaps, and stops after
.BR max_reminders .
.TP
.B respect
You can snooze a person or let them be; rekindle never sends more than
.B max_per_run
reminders in one run, nor new people faster than
.B new_people_per_day
allows, and keeps quiet hours.
.SH FILES
.TP
.I $XDG_CONFIG_HOME/rekindle/config.toml
The config, else
.IR /etc/rekindle/config.toml .
.B rekindle init
writes a starter; the package puts an example with every setting in
.IR /usr/share/doc/rekindle/ .
.TP
.I $STATE_DIRECTORY/rekindle.db
The state (what was logged, sent and learned), else
.IR $XDG_STATE_HOME/rekindle/rekindle.db ,
else
.IR ~/.local/state/rekindle/rekindle.db .
.SH ENVIRONMENT
.TP
.B REKINDLE_CONFIG
The config file, when
.B \-\-config
is not given.
.TP
.B STATE_DIRECTORY
Where the state file is; systemd sets it for the service.
.SH EXIT STATUS
0 when all went well, 1 when something needs fixing (a config's problems,
an unknown person, a channel that failed), 2 for a mistake in the command line.
.SH SIGNALS
The daemon
.RB ( "rekindle run" )
reads its config again on SIGHUP and stops on SIGINT or SIGTERM.
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1).
The README and the pages of its guide, in
.IR /usr/share/doc/rekindle/docs/ ,
explain every setting and channel.
`)
}

// sentence makes a summary a sentence: a capital first letter and a full
// stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// roffEscape escapes what roff would read as its own: backslashes and
// hyphens (which would print as hyphens, not the minus signs of flags).
func roffEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// roffText escapes a line of text, which must also not start with a dot
// or an apostrophe (a request).
func roffText(s string) string {
	s = roffEscape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func roffQuote(s string) string { return `"` + strings.ReplaceAll(roffEscape(s), `"`, `\(dq`) + `"` }
