package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docBlock is a fenced block of the README or a page of docs/.
type docBlock struct {
	file string
	line int    // of its first line of content
	info string // what follows the opening fence: sh, console, ...
	at   string // the time an "<!-- at TIME -->" line just before it gives
	exit int    // the exit status of its last command ("<!-- at TIME exit N -->")
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
				f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(lines[i-1], "<!-- at "), " -->"))
				blk.at = strings.Join(f, " ")
				if len(f) == 3 && f[1] == "exit" {
					blk.at = f[0]
					n, err := strconv.Atoi(f[2])
					if err != nil {
						t.Fatalf("%s:%d: %s: the exit status is a number", name, i, lines[i-1])
					}
					blk.exit = n
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
// arguments. A command or flag renamed without the guide fails here.
func TestDocumentedCommands(t *testing.T) {
	t.Parallel()
	n := 0
	for _, blk := range docBlocks(t) {
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
// that time, from the repository's root with a new state directory that
// the block's commands share in turn (a log, then the status it changes),
// and wants what each command prints, its output and its errors in the
// order it wrote them, as the block shows it after its "$ " line. Every
// command exits 0 but the block's last, which exits as "<!-- at TIME
// exit N -->" says (0 when it says nothing).
func TestDocumentedOutputs(t *testing.T) {
	blocks := docBlocks(t)
	t.Chdir(filepath.Join("..", ".."))
	n := 0
	for _, blk := range blocks {
		if blk.info != "console" || blk.at == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339, blk.at)
		if err != nil {
			t.Errorf("%s:%d: <!-- at %s -->: %v", blk.file, blk.line-2, blk.at, err)
			continue
		}
		t.Setenv("STATE_DIRECTORY", t.TempDir())
		last := -1
		for k, line := range blk.text {
			if strings.HasPrefix(line, "$ ") {
				last = k
			}
		}
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
			cmds := rekindleLines(strings.TrimPrefix(line, "$ "))
			if len(cmds) != 1 {
				t.Errorf("%s:%d: a console line runs one rekindle command: %s", blk.file, blk.line+start, line)
				continue
			}
			n++
			var out bytes.Buffer // stdout and stderr, in the order written
			code := runAt(cmds[0], &out, &out, func() time.Time { return at })
			var got []string
			for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
				got = append(got, strings.TrimRight(l, " "))
			}
			wantCode := 0
			if start == last {
				wantCode = blk.exit
			}
			if code != wantCode {
				t.Errorf("%s:%d: %s: exit %d, the guide has it exit %d\n%s", blk.file, blk.line+start, line, code, wantCode, out.String())
				continue
			}
			if g, w := strings.Join(got, "\n"), strings.TrimRight(strings.Join(want, "\n"), "\n"); g != w {
				t.Errorf("%s:%d: %s at %s prints\n%s\nthe guide shows\n%s", blk.file, blk.line+start, line, blk.at, g, w)
			}
		}
	}
	if n == 0 {
		t.Error("no console block with a time in the guide")
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
