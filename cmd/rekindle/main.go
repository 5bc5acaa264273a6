// Command rekindle helps one person keep in touch with the people who matter
// to them. See docs/commands.md for the commands and docs/config.md for
// the config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones even where the system has no zoneinfo

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/terminal"
)

func main() {
	limitMemory = os.Getenv("GOMEMLIMIT") == ""
	tuneGC = os.Getenv("GOGC") == ""
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// limitMemory is set in main (not in tests) unless GOMEMLIMIT is.
var limitMemory bool

// sizeMemory sets a soft memory limit sized from the work: the config file
// at path, which takes about perByte times its size in memory for the
// command at hand. On a big contact list the garbage collector then works
// a little harder instead of letting the heap double, and a list ten
// times larger is not held to the small one's limit (which would make the
// collector run without end): 200 MiB, or perByte times the file's size
// when that is more. Under the limit it changes nothing; GOMEMLIMIT
// overrides it.
func sizeMemory(path string, perByte int64) {
	if !limitMemory {
		return
	}
	limit := int64(minMemoryLimit)
	if fi, err := os.Stat(path); err == nil {
		limit = max(limit, perByte*fi.Size())
	}
	debug.SetMemoryLimit(limit)
}

// tuneGC is set in main (not in tests) unless GOGC is.
var tuneGC bool

// streaming lets the heap of a command that reads a stream once and ends
// (sync, import) grow to three times what it keeps between collections,
// not twice: such a command keeps little (the config, the state file's
// cache, the ids given) and drops at once what it makes a message or a
// row, so at the default the collector ran about thirty times in a first
// sync of 10,000 messages, a sixth of its CPU. Not more: at 400 a phone
// backup of a million calls peaked at 52 MB (38 MB at 100, 41 MB at 200)
// for no CPU saved, past its 50 MB (docs/speed.md). The soft memory limit
// (sizeMemory) still bounds it; GOGC overrides it.
func streaming() {
	if tuneGC {
		debug.SetGCPercent(200)
	}
}

// How much memory a command takes per byte of config: the config itself
// (configMemory), and for one run of the daemon also a message composed
// for everyone due, held beside it until the outbox has it (runMemory).
const (
	configMemory = 14
	runMemory    = 2 * configMemory
)

const minMemoryLimit = 200 << 20

// Exit codes.
const (
	exitOK      = 0
	exitProblem = 1 // something the user must fix: bad config, unknown person
	exitUsage   = 2
)

// usageError is a mistake in the command line itself.
type usageError struct {
	msg   string
	usage string // the command's usage, printed after; "": point to help
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// command is one entry of the command table: the name, its arguments as
// usage shows them, one line on what it does, how many positional
// arguments it takes, and its flags. Each command's file defines its
// entry; the table below orders them.
type command struct {
	name, args, summary string
	minArgs, maxArgs    int
	// flags declares the command's flags, each with its help, and returns
	// how to run the command once they and the positional arguments are
	// parsed.
	flags func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command with its positional arguments.
type runFunc func(c *cli, ctx context.Context, args []string) error

// noFlags is the flags of a command that has none.
func noFlags(run runFunc) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc { return run }
}

// commands is the command table, in the order the help lists it. It is
// filled in init because the completion and manual commands read it.
var commands []command

func init() {
	commands = []command{
		initCommand, runCommand, checkCommand, statusCommand, planCommand, calendarLinkCommand, dashboardLinkCommand, callsLinkCommand, importCommand,
		logCommand, snoozeCommand, letBeCommand, resumeCommand, historyCommand, syncCommand, testNotifyCommand,
		completionCommand, versionCommand,
	}
}

func lookup(name string) (command, bool) {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd, true
		}
	}
	return command{}, false
}

// usage is the help text, made from the command table.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: rekindle [--config PATH] COMMAND [ARGS]\n\ncommands:\n")
	for _, cmd := range commands {
		line := "  " + cmd.name
		if cmd.args != "" {
			line += " " + cmd.args
		}
		if len(line) > 40 {
			b.WriteString(line + "\n" + strings.Repeat(" ", 42))
		} else {
			b.WriteString(fmt.Sprintf("%-42s", line))
		}
		b.WriteString(cmd.summary + "\n")
	}
	b.WriteString(`
PERSON is an id, or a name or unique prefix of one, in any case.
TIME is RFC 3339 (2026-11-30T18:00:00+01:00) or a day (2026-11-30, its start in the
configured time zone).
The config is --config, else $REKINDLE_CONFIG, else $XDG_CONFIG_HOME/rekindle/config.toml,
else /etc/rekindle/config.toml. --config may stand before or after the command.
'rekindle COMMAND --help' shows one command's usage and flags.
`)
	return b.String()
}

// cli is one invocation of the command.
type cli struct {
	stdout, stderr io.Writer
	configFlag     string
	now            func() time.Time
	tty            bool // standard output is a terminal: dispatch strips what could drive it
	// httpClient is test-notify's client for the HTTP channels; nil: each
	// channel's own. Tests set it to reach servers whose address a
	// library fixes.
	httpClient *http.Client
}

func run(args []string, stdout, stderr io.Writer) int {
	return runAt(args, stdout, stderr, time.Now)
}

// runAt is run with a clock: tests run the command at a time of theirs.
func runAt(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runIn(ctx, args, stdout, stderr, now)
}

// runIn is runAt until ctx ends, as Ctrl-C ends it: a test stops the
// daemon this way.
func runIn(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	stderr = forTerminal(stderr, terminal.Is(stderr))
	c := &cli{stdout: stdout, stderr: stderr, now: now, tty: terminal.Is(stdout)}
	err := c.dispatch(ctx, args)
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "rekindle: error: %v\n", err)
		if ue.usage != "" {
			fmt.Fprintf(stderr, "\n%s", ue.usage)
		} else {
			fmt.Fprintf(stderr, "run 'rekindle help' for usage\n")
		}
		return exitUsage
	}
	// A config's problems, file by file (it and the files it includes).
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, e := range config.Split(err) {
			if errors.As(e, &ce) {
				fmt.Fprintf(stderr, "rekindle: error: %s has %s:\n%v\n", ce.File, plural(len(ce.Problems)+ce.Omitted, "problem", "problems"), ce)
			} else {
				fmt.Fprintf(stderr, "rekindle: error: %v\n", e)
			}
		}
		return exitProblem
	}
	if errors.Is(err, errSomeFailed) {
		return exitProblem // the report said it all
	}
	fmt.Fprintf(stderr, "rekindle: error: %v\n", err)
	// Advice comes from the error of any package (hint.Hinter), on its own
	// line and once.
	if h := hint.Of(err); h != "" {
		fmt.Fprintf(stderr, "rekindle: hint: %s\n", h)
	}
	return exitProblem
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// errHelp is returned by parseFlags for --help: the command's usage is
// printed and the exit code is 0.
var errHelp = errors.New("help")

// globalFlags takes --config PATH (or --config=PATH) out of args, wherever
// it stands.
func (c *cli) globalFlags(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(rest, args[i:]...), nil
		case a == "--config" || a == "-config":
			if i+1 >= len(args) {
				return nil, usagef("--config needs a path")
			}
			c.configFlag = args[i+1]
			i++
		case strings.HasPrefix(a, "--config="), strings.HasPrefix(a, "-config="):
			_, c.configFlag, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	return rest, nil
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	c.stdout = forTerminal(c.stdout, c.tty)
	rest, err := c.globalFlags(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fmt.Fprint(c.stderr, usage())
		return usagef("no command given")
	}
	name, args := rest[0], rest[1:]
	switch name {
	case "--version", "-version", "-V":
		name = versionCommand.name
	case "__complete": // what the completion scripts ask; not in the help
		if len(args) != 1 {
			return usagef("__complete takes one of people, channels, sources, kinds")
		}
		return c.complete(args[0])
	case "__manual": // the manual page, for the package; not in the help
		return c.manual()
	case "help", "-h", "--help", "-help":
		if len(args) == 1 {
			if cmd, ok := lookup(args[0]); ok {
				fmt.Fprint(c.stdout, commandUsage(cmd))
				return nil
			}
		}
		fmt.Fprint(c.stdout, usage())
		return nil
	}
	cmd, ok := lookup(name)
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("unknown flag %s before the command", name)
		}
		msg := fmt.Sprintf("unknown command %q", name)
		names := make([]string, len(commands))
		for i, k := range commands {
			names[i] = k.name
		}
		if s := config.Suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return usagef("%s", msg)
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	run := cmd.flags(fs)
	pos, err := parseFlags(fs, args, cmd.minArgs, cmd.maxArgs, cmd.args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(c.stdout, commandUsage(cmd))
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		ue.usage = commandUsage(cmd)
	}
	if err != nil {
		return err
	}
	return run(c, ctx, pos)
}

// commandUsage is one command's help: its synopsis, what it does, and its
// flags with theirs.
func commandUsage(cmd command) string {
	u := "usage: rekindle " + cmd.name
	if cmd.args != "" {
		u += " " + cmd.args
	}
	u += "\n\n" + cmd.summary + "\n"
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.flags(fs)
	var flags strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" {
			help += " (default " + f.DefValue + ")"
		}
		if len(line) > 22 {
			line += "\n" + strings.Repeat(" ", 24)
		}
		fmt.Fprintf(&flags, "%-24s%s\n", line, help)
	})
	if flags.Len() > 0 {
		u += "\nflags:\n" + flags.String()
	}
	return u
}

// flagWords is the flag package's complaint in rekindle's words: "unknown
// flag --jsn" rather than "flag provided but not defined: -jsn".
func flagWords(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag --" + strings.TrimLeft(name, "-")
	}
	return msg
}

// parseFlags parses flags that may stand before, between or after the
// positional arguments, and checks the number of positionals.
func parseFlags(fs *flag.FlagSet, args []string, minPos, maxPos int, what string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usagef("%s: %s", fs.Name(), flagWords(err))
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
