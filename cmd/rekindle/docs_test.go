package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
)

// docBlock is a fenced block of the README or a page of docs/.
type docBlock struct {
	file string
	line int      // of its first line of content
	info string   // what follows the opening fence: sh, console, ...
	at   string   // the time an "<!-- at TIME -->" line just before it gives
	exit int      // the exit status of its last command ("<!-- at TIME exit N -->")
	with []string // the servers it runs against ("<!-- at TIME with radicale ntfy -->")
	text []string
}

// docBlocks reads every fenced block of the README and docs/*.md.
func docBlocks(t *testing.T) []docBlock {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	files = append([]string{filepath.Join("..", "..", "README.md")}, files...)
	var out []docBlock
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		name := strings.TrimPrefix(f, filepath.Join("..", "..")+"/")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "```") {
				continue
			}
			blk := docBlock{file: name, line: i + 2, info: strings.TrimPrefix(lines[i], "```")}
			if i > 0 && strings.HasPrefix(lines[i-1], "<!-- at ") {
				if err := blk.marker(lines[i-1]); err != nil {
					t.Fatalf("%s:%d: %s: %v", name, i, lines[i-1], err)
				}
			}
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				blk.text = append(blk.text, lines[i])
			}
			out = append(out, blk)
		}
	}
	return out
}

// marker reads the line before a block: "<!-- at TIME [exit N] [with
// SERVER...] -->".
func (blk *docBlock) marker(line string) error {
	f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "<!-- at "), "-->"))
	if len(f) == 0 {
		return errors.New("no time")
	}
	blk.at, f = f[0], f[1:]
	if len(f) >= 2 && f[0] == "exit" {
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return errors.New("the exit status is a number")
		}
		blk.exit, f = n, f[2:]
	}
	if len(f) >= 2 && f[0] == "with" {
		for _, name := range f[1:] {
			if docServers[name] == nil {
				return fmt.Errorf("no server %q for the samples (docServers)", name)
			}
		}
		blk.with, f = f[1:], nil
	}
	if len(f) > 0 {
		return fmt.Errorf("%q: write <!-- at TIME [exit N] [with SERVER...] -->", strings.Join(f, " "))
	}
	return nil
}

// shellWords splits a line as sh would, enough for the guide's lines:
// quotes, a comment after a blank, and the operators between commands.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	quote := rune(0)
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			flush()
			return words
		case r == ' ' || r == '\t':
			flush()
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}

// rekindleLines finds the rekindle command lines in a shell line: each
// piece between &&, ||, |, ; whose command is rekindle (or go run of it,
// after sudo and VAR=value), without redirections.
func rekindleLines(line string) [][]string {
	var out [][]string
	var seg []string
	end := func() {
		for len(seg) > 0 && (seg[0] == "sudo" || strings.Contains(seg[0], "=") && !strings.HasPrefix(seg[0], "-")) {
			seg = seg[1:]
		}
		if len(seg) >= 3 && seg[0] == "go" && seg[1] == "run" && seg[2] == "./cmd/rekindle" {
			seg = append([]string{"rekindle"}, seg[3:]...)
		}
		if len(seg) > 0 && seg[0] == "rekindle" {
			out = append(out, seg[1:])
		}
		seg = nil
	}
	words := shellWords(line)
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case w == "&&" || w == "||" || w == "|" || w == ";":
			end()
		case strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") || strings.HasPrefix(w, "2>"):
			if w == ">" || w == "<" || w == "2>" || w == ">>" {
				i++ // the file
			}
		default:
			seg = append(seg, w)
		}
	}
	end()
	return out
}

// TestDocumentedCommands: every rekindle command line in the README and
// docs/ is one the command line takes: its command, flags and number of
// arguments. A command or flag renamed without the guide fails here. And
// every block says what it is, every console block (a sample) when it was
// taken, so that no sample of output escapes TestDocumentedOutputs.
func TestDocumentedCommands(t *testing.T) {
	t.Parallel()
	n := 0
	for _, blk := range docBlocks(t) {
		// A sample of output is a console block that TestDocumentedOutputs
		// runs; nothing else may look like one.
		switch {
		case blk.info == "":
			t.Errorf("%s:%d: a block says what it is: console (a sample, run by the tests), sh, toml, text, ...", blk.file, blk.line-1)
		case blk.info == "console" && blk.at == "":
			t.Errorf("%s:%d: a console block is a sample: say when it was taken (<!-- at TIME -->) so that a test runs it", blk.file, blk.line-1)
		}
		if blk.info != "sh" && blk.info != "console" {
			continue
		}
		for k, line := range blk.text {
			if blk.info == "console" {
				if !strings.HasPrefix(line, "$ ") {
					continue
				}
				line = strings.TrimPrefix(line, "$ ")
			}
			for _, args := range rekindleLines(line) {
				n++
				if err := parsesAsDocumented(args); err != nil {
					t.Errorf("%s:%d: rekindle %s: %v", blk.file, blk.line+k, strings.Join(args, " "), err)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d rekindle command lines in the guide; the reading of the blocks is broken", n)
	}
}

// parsesAsDocumented parses a command line as dispatch does, without
// running it.
func parsesAsDocumented(args []string) error {
	c := &cli{}
	rest, err := c.globalFlags(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return nil // rekindle alone prints the usage
	}
	switch rest[0] {
	case "--version", "-V", "help", "--help", "-h":
		return nil
	}
	cmd, ok := lookup(rest[0])
	if !ok {
		return usagef("unknown command %q", rest[0])
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.flags(fs)
	_, err = parseFlags(fs, rest[1:], cmd.minArgs, cmd.maxArgs, cmd.args)
	if err == errHelp {
		return nil
	}
	return err
}

// TestDocumentedOutputs runs each console block of the README and docs/
// that says when it was taken ("<!-- at TIME -->" just before it), at
// that time, with a new state directory that the block's commands share
// in turn (a log, then the status it changes), and wants what each
// command prints, its output and its errors in the order it wrote them,
// as the block shows it after its "$ " line. Every command exits 0 but
// the block's last, which exits as "<!-- at TIME exit N -->" says (0 when
// it says nothing).
//
// A block runs from the repository's root, on config.example.toml and
// the files of docs/examples/. One marked "with SERVER..." runs against
// those real servers (docServers), from a copy of both in which each
// "${NAME}" is the value the servers gave NAME. What varies from run to
// run is written as such a variable in a sample: the commands have each
// in their environment (ROOT, where they run; STATE_DIRECTORY; each
// server's), and each value in what they print is written back as
// "${NAME}" before it is compared.
//
// A line "..." ends a sample: what the command prints after the lines
// above it is not compared. "rekindle ... run" without --once is the
// daemon: it runs until it has printed the lines its sample shows (at
// most a minute), then is stopped as Ctrl-C stops it. Its log (standard
// error, the lines "time=...") and its reminders (standard output) come
// from goroutines of their own, so each is compared in its own order, not
// how the two interleave; in the log the wall clock's time= and a run's
// took= are not compared, all else is.
func TestDocumentedOutputs(t *testing.T) {
	blocks := docBlocks(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	n := 0
	for _, blk := range blocks {
		if blk.info != "console" || blk.at == "" {
			continue
		}
		t.Run(fmt.Sprintf("%s:%d", blk.file, blk.line), func(t *testing.T) {
			n += runDocBlock(t, blk, root)
		})
	}
	if n == 0 {
		t.Error("no console block with a time in the guide")
	}
}

// The variable parts of a daemon's log lines, not compared.
var daemonVaries = regexp.MustCompile(`\b(time|took)=\S+`)

// runDocBlock runs one block (TestDocumentedOutputs) and returns how many
// commands it ran.
func runDocBlock(t *testing.T, blk docBlock, root string) int {
	at, err := time.Parse(time.RFC3339, blk.at)
	if err != nil {
		t.Fatalf("%s:%d: <!-- at %s -->: %v", blk.file, blk.line-2, blk.at, err)
	}
	vars := map[string]string{"STATE_DIRECTORY": t.TempDir(), "ROOT": root}
	if len(blk.with) > 0 {
		for _, name := range blk.with {
			maps.Copy(vars, docServers[name](t, root))
		}
		vars["ROOT"] = t.TempDir()
		copyExamples(t, root, vars["ROOT"], vars)
		t.Chdir(vars["ROOT"])
	}
	names := slices.Collect(maps.Keys(vars))
	slices.SortFunc(names, func(a, b string) int { return len(vars[b]) - len(vars[a]) }) // the longest value first
	var pairs []string
	for _, k := range names {
		t.Setenv(k, vars[k])
		pairs = append(pairs, vars[k], "${"+k+"}")
	}
	variables := strings.NewReplacer(pairs...)

	last := -1
	for k, line := range blk.text {
		if strings.HasPrefix(line, "$ ") {
			last = k
		}
	}
	n := 0
	for k := 0; k < len(blk.text); k++ {
		line := blk.text[k]
		if !strings.HasPrefix(line, "$ ") {
			continue
		}
		start := k
		var want []string
		for k+1 < len(blk.text) && !strings.HasPrefix(blk.text[k+1], "$ ") {
			k++
			want = append(want, strings.TrimRight(blk.text[k], " "))
		}
		for len(want) > 0 && want[len(want)-1] == "" {
			want = want[:len(want)-1]
		}
		rest := slices.Index(want, "...") >= 0
		if rest {
			want = want[:slices.Index(want, "...")]
		}
		cmds := rekindleLines(strings.TrimPrefix(line, "$ "))
		if len(cmds) != 1 {
			t.Errorf("%s:%d: a console line runs one rekindle command: %s", blk.file, blk.line+start, line)
			continue
		}
		n++
		clock := func() time.Time { return at }
		var out syncbuf.Buffer // stdout and stderr, in the order written
		var code int
		var g, w string
		if isDaemon(cmds[0]) {
			// Its log and its reminders come from goroutines of their own:
			// each is compared in its order, not how they interleave.
			var logs, wantLogs, wantOut []string
			for _, l := range want {
				if strings.HasPrefix(l, "time=") {
					wantLogs = append(wantLogs, daemonVaries.ReplaceAllString(l, "$1=…"))
				} else {
					wantOut = append(wantOut, l)
				}
			}
			var stderr syncbuf.Buffer
			code = runDaemonFor(cmds[0], &out, &stderr, clock, len(wantOut), len(wantLogs))
			for _, l := range outLines(variables.Replace(stderr.String())) {
				logs = append(logs, daemonVaries.ReplaceAllString(l, "$1=…"))
			}
			got := outLines(variables.Replace(out.String()))
			if rest {
				logs, got = logs[:min(len(logs), len(wantLogs))], got[:min(len(got), len(wantOut))]
			}
			g = strings.Join(logs, "\n") + "\n-- and on standard output:\n" + strings.Join(got, "\n")
			w = strings.Join(wantLogs, "\n") + "\n-- and on standard output:\n" + strings.Join(wantOut, "\n")
		} else {
			code = runAt(cmds[0], &out, &out, clock)
			got := outLines(variables.Replace(out.String()))
			if rest && len(got) > len(want) {
				got = got[:len(want)]
			}
			g, w = strings.Join(got, "\n"), strings.Join(want, "\n")
		}
		wantCode := 0
		if start == last {
			wantCode = blk.exit
		}
		if code != wantCode {
			t.Errorf("%s:%d: %s: exit %d, the guide has it exit %d\n%s", blk.file, blk.line+start, line, code, wantCode, out.String())
			continue
		}
		if g != w {
			t.Errorf("%s:%d: %s at %s prints\n%s\nthe guide shows\n%s", blk.file, blk.line+start, line, blk.at, g, w)
		}
	}
	return n
}

// isDaemon: the command line starts the daemon (run without --once).
func isDaemon(args []string) bool {
	rest, err := (&cli{}).globalFlags(args)
	return err == nil && len(rest) > 0 && rest[0] == "run" && !slices.Contains(rest, "--once")
}

// outLines splits what a command printed into lines without their
// trailing blanks.
func outLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return lines
}

// runDaemonFor runs the daemon until it has printed lines lines on
// standard output and logs lines on standard error (or for a minute), and
// stops it as Ctrl-C does.
func runDaemonFor(args []string, stdout, stderr *syncbuf.Buffer, clock func() time.Time, lines, logs int) int {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- runIn(ctx, args, stdout, stderr, clock) }()
	deadline := time.Now().Add(time.Minute)
	for (strings.Count(stdout.String(), "\n") < lines || strings.Count(stderr.String(), "\n") < logs) && time.Now().Before(deadline) {
		select {
		case code := <-done:
			stop()
			return code
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	return <-done
}

// copyExamples copies config.example.toml and docs/examples/ from root to
// dir, each "${NAME}" of vars in them replaced by its value; a file keeps
// its mode and its time, which a Maildir source reads.
func copyExamples(t *testing.T, root, dir string, vars map[string]string) {
	t.Helper()
	var pairs []string
	for k, v := range vars {
		pairs = append(pairs, "${"+k+"}", v)
	}
	subst := strings.NewReplacer(pairs...)
	copyOne := func(rel string, info fs.FileInfo) error {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return err
		}
		to := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, []byte(subst.Replace(string(b))), info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, info.ModTime(), info.ModTime())
	}
	info, err := os.Stat(filepath.Join(root, "config.example.toml"))
	if err == nil {
		err = copyOne("config.example.toml", info)
	}
	if err == nil {
		err = filepath.WalkDir(filepath.Join(root, "docs", "examples"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			return copyOne(rel, info)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocumentedLayout: the layout of the code in docs/development.md
// (its first block) names directories that exist, and names every
// directory of Go code at the top, under internal/ and under cmd/.
func TestDocumentedLayout(t *testing.T) {
	t.Parallel()
	var layout []string
	for _, blk := range docBlocks(t) {
		if blk.file == "docs/development.md" {
			layout = blk.text
			break
		}
	}
	named := map[string]bool{}
	for _, line := range layout {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(line, " ") && strings.HasSuffix(f[0], "/") {
			named[strings.TrimSuffix(f[0], "/")] = true
		}
	}
	root := filepath.Join("..", "..")
	for dir := range named {
		if fi, err := os.Stat(filepath.Join(root, dir)); err != nil || !fi.IsDir() {
			t.Errorf("docs/development.md names %s/, which is not a directory", dir)
		}
	}
	for _, pattern := range []string{"*", "internal/*", "cmd/*"} {
		dirs, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, d := range dirs {
			rel, _ := filepath.Rel(root, d)
			if rel == "internal" || rel == "cmd" || named[rel] {
				continue
			}
			if gos, _ := filepath.Glob(filepath.Join(d, "*.go")); len(gos) > 0 {
				t.Errorf("docs/development.md's layout of the code does not name %s/", rel)
			}
		}
	}
	if len(named) < 10 {
		t.Errorf("the layout names %d directories; its reading is broken", len(named))
	}
}

// TestPagesNamedInTheCode: every page of docs/ that the code names (in a
// message, a hint, the starter or a comment) exists, and holds the words
// quoted after it (docs/rules.md, "People without a date"); and no message
// sends a person to "the README" for what now lives in docs/.
func TestPagesNamedInTheCode(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	named := regexp.MustCompile(`docs/([a-z]+\.md)(?:, \\?"([^"\\]+)\\?")?`)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "see the README") {
				t.Errorf("%s:%d: sends a person to the README; name the page of docs/: %s", path, i+1, strings.TrimSpace(line))
			}
			for _, m := range named.FindAllStringSubmatch(line, -1) {
				n++
				page, err := os.ReadFile(filepath.Join(root, "docs", m[1]))
				if err != nil {
					t.Errorf("%s:%d: names docs/%s: %v", path, i+1, m[1], err)
					continue
				}
				if m[2] != "" && !strings.Contains(string(page), m[2]) {
					t.Errorf("%s:%d: docs/%s has no %q", path, i+1, m[1], m[2])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("the code names %d pages of docs/; the reading is broken", n)
	}
}
