// Command rekindle helps one person keep in touch with the people who matter
// to them. See the README for the commands and the config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones even where the system has no zoneinfo

	"github.com/rekindle/rekindle/config"
)

func main() {
	// A soft memory limit keeps rekindle small on big contact lists: the
	// garbage collector works harder instead of letting the heap double.
	// Under the limit it changes nothing; GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const softMemoryLimit = 200 << 20

// Exit codes.
const (
	exitOK      = 0
	exitProblem = 1 // something the user must fix: bad config, unknown person
	exitUsage   = 2
)

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// hinted is an error with advice for the user.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

const usage = `usage: rekindle [--config PATH] COMMAND [ARGS]

commands:
  run [--once [--at TIME]] [--log-format text|json]
                                          the daemon: reminders on schedule; --once: one run, then exit
  check                                   validate the config
  status [--at TIME] [--json]             everyone's state, last interaction, next reminder and why
  plan [--from TIME] [--days N] [--json]  the reminders the coming days would bring
  log PERSON KIND [--at TIME] [--note T]  record what happened; KIND is talked, replied,
                                          reached-out or fallout
  snooze PERSON DURATION                  no reminders about PERSON for a while ("3d", "2w")
  let-be PERSON                           no reminders about PERSON until resume
  resume PERSON                           end a snooze or let-be
  history [PERSON] [--limit N]            logged events, newest first
  test-notify [CHANNEL]                   send a test message through each (or one) channel
  version                                 version and build info

PERSON is an id, or a name or unique prefix of one, in any case.
TIME is RFC 3339 (2026-11-30T18:00:00+01:00) or a day (2026-11-30, its start in the
configured time zone).
The config is --config, else $REKINDLE_CONFIG, else $XDG_CONFIG_HOME/rekindle/config.toml,
else /etc/rekindle/config.toml.
`

// cli is one invocation of the command.
type cli struct {
	stdout, stderr io.Writer
	configFlag     string
	now            func() time.Time
	tty            bool // standard output is a terminal: control characters are stripped
}

func run(args []string, stdout, stderr io.Writer) int {
	return runAt(args, stdout, stderr, time.Now)
}

// runAt is run with a clock: tests run the command at a time of theirs.
func runAt(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{stdout: stdout, stderr: stderr, now: now, tty: isTerminal(stdout)}
	err := c.dispatch(ctx, args)
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "rekindle: %v\n", err)
		fmt.Fprintf(stderr, "run 'rekindle help' for usage\n")
		return exitUsage
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "rekindle: error: %s has %s:\n%v\n", ce.File, plural(len(ce.Problems), "problem", "problems"), ce)
		return exitProblem
	}
	if errors.Is(err, errSomeFailed) {
		return exitProblem // the report said it all
	}
	fmt.Fprintf(stderr, "rekindle: error: %v\n", err)
	var h *hinted
	if errors.As(err, &h) {
		fmt.Fprintf(stderr, "rekindle: hint: %s\n", h.hint)
	}
	return exitProblem
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("rekindle", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&c.configFlag, "config", "", "")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.stdout, usage)
			return nil
		}
		return usagef("%v", err)
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(c.stderr, usage)
		return usagef("no command given")
	}
	cmd, args := rest[0], rest[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(c.stdout, usage)
		return nil
	case "version":
		return c.version(args)
	case "check":
		return c.check(args)
	case "status":
		return c.status(ctx, args)
	case "plan":
		return c.plan(ctx, args)
	case "log":
		return c.log(ctx, args)
	case "snooze":
		return c.snooze(ctx, args)
	case "let-be":
		return c.decide(ctx, "let-be", args)
	case "resume":
		return c.decide(ctx, "resume", args)
	case "history":
		return c.history(ctx, args)
	case "test-notify":
		return c.testNotify(ctx, args)
	case "run":
		return c.run(ctx, args)
	}
	msg := fmt.Sprintf("unknown command %q", cmd)
	for _, known := range []string{"run", "check", "status", "plan", "log", "snooze", "let-be", "resume", "history", "test-notify", "version"} {
		if strings.HasPrefix(known, cmd) || strings.HasPrefix(cmd, known) {
			msg += fmt.Sprintf("; did you mean %q?", known)
			break
		}
	}
	return usagef("%s", msg)
}

// parseFlags parses flags that may stand before, between or after the
// positional arguments, and checks the number of positionals.
func parseFlags(fs *flag.FlagSet, args []string, minPos, maxPos int, what string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < minPos || len(pos) > maxPos {
		return nil, usagef("usage: rekindle %s %s", fs.Name(), what)
	}
	return pos, nil
}
