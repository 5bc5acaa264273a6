package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/web"
)

// completionConfig is a config whose names the scripts must offer.
const completionConfig = `
[channels.phone]
type = "ntfy"
topic = "rekindle-test-topic-0123"

[channels.desk]
type = "desktop"

[sources.home]
type = "maildir"
path = "/nonexistent/Maildir"

[[contact]]
name = "Ana Lima"
every = "2w"

[[contact]]
name = "Bob Stone"
every = "4w"
`

// completeWith runs a shell with rekindle's script for it loaded and
// the built binary on PATH, and returns the candidates the script offers
// for line (the words so far, the last one being completed).
func completeWith(t *testing.T, shell string, line []string) []string {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(completionConfig), 0o600)
	for i, w := range line {
		line[i] = strings.ReplaceAll(w, "CONFIG", cfg)
	}
	script, err := exec.Command(bin, "completion", shell).Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "rekindle."+shell), script, 0o644)
	var prog string
	var cmd *exec.Cmd
	switch shell {
	case "bash":
		words := make([]string, len(line))
		for i, w := range line {
			words[i] = "'" + w + "'"
		}
		prog = "source " + dir + "/rekindle.bash\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(line)-1) + "\n_rekindle\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		cmd = exec.Command(needs.Program(t, "bash", "bash"), "--norc", "--noprofile", "-c", prog)
	case "fish":
		prog = "source " + dir + "/rekindle.fish\ncomplete -C" + fishArg(strings.Join(line, " ")) + "\n"
		cmd = exec.Command(needs.Program(t, "fish", "fish"), "--no-config", "-c", prog)
	}
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "REKINDLE_CONFIG=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, stderr.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name, _, _ := strings.Cut(l, "\t"); name != "" {
			got = append(got, name)
		}
	}
	return got
}

func fishArg(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// The scripts offer what the command line takes at each place: commands,
// a command's own flags, the people, channels and sources of the config
// the line names, and the kinds of `log`.
func TestCompletion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		line    []string
		want    []string // all of these
		notWant []string // none of these
	}{
		{[]string{"rekindle", "st"}, []string{"status"}, []string{"sync", "--json"}},
		{[]string{"rekindle", "--config", "CONFIG", "log", ""}, []string{"ana-lima", "bob-stone"}, []string{"phone"}},
		{[]string{"rekindle", "--config", "CONFIG", "log", "ana-lima", ""}, []string{"talked", "reached-out", "fallout", "replied"}, []string{"bob-stone"}},
		{[]string{"rekindle", "--config", "CONFIG", "test-notify", ""}, []string{"desk", "phone"}, []string{"home", "ana-lima"}},
		{[]string{"rekindle", "--config", "CONFIG", "sync", ""}, []string{"home"}, []string{"phone"}},
		{[]string{"rekindle", "status", "--"}, []string{"--at", "--json"}, []string{"--days", "--once"}},
		{[]string{"rekindle", "completion", ""}, []string{"bash", "fish", "zsh"}, nil},
	}
	for _, shell := range []string{"bash", "fish"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			for _, tc := range cases {
				if shell == "fish" && len(tc.line) > 5 {
					continue // fish's script completes a command's first argument only
				}
				got := completeWith(t, shell, slices.Clone(tc.line))
				for _, w := range tc.want {
					if !slices.Contains(got, w) {
						t.Errorf("%s %q: %q missing from %q", shell, tc.line, w, got)
					}
				}
				for _, w := range tc.notWant {
					if slices.Contains(got, w) {
						t.Errorf("%s %q: %q offered in %q", shell, tc.line, w, got)
					}
				}
			}
		})
	}
}

// The zsh script is at least valid zsh, and declares every command.
func TestCompletionZshParses(t *testing.T) {
	t.Parallel()
	zsh := needs.Program(t, "zsh", "zsh")
	var b bytes.Buffer
	writeZsh(&b, completions())
	cmd := exec.Command(zsh, "-n", "-f")
	cmd.Stdin = bytes.NewReader(b.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	for _, c := range commands {
		if !strings.Contains(b.String(), "\t"+c.name+")\n") {
			t.Errorf("the zsh script has no case for %s", c.name)
		}
	}
}

// The manual page is valid roff that groff reads without a warning, and
// it lists every command and every flag of the command table.
func TestManualPage(t *testing.T) {
	t.Parallel()
	groff := needs.Program(t, "groff-base", "groff")
	var b bytes.Buffer
	writeManual(&b, web.Build())
	cmd := exec.Command(groff, "-ww", "-man", "-Tutf8")
	cmd.Stdin = bytes.NewReader(b.Bytes())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("groff -ww: %v\n%s", err, stderr.String())
	}
	// groff overstrikes bold and underlined text on a terminal; read the
	// plain letters.
	text := strings.NewReplacer("\u2010", "-", "\u2212", "-").Replace(stripOverstrike(string(out)))
	for _, c := range commands {
		if !strings.Contains(text, "\n       "+c.name) {
			t.Errorf("the manual has no entry for %s", c.name)
		}
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(text, "--"+f.Name) {
				t.Errorf("the manual has no --%s (of %s)", f.Name, c.name)
			}
		})
	}
}

// stripOverstrike drops groff's "x\bx" (bold) and "_\bx" (underline).
func stripOverstrike(s string) string {
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for i := 0; i < len(r); i++ {
		if i+1 < len(r) && r[i+1] == '\b' {
			continue
		}
		if r[i] == '\b' {
			continue
		}
		out = append(out, r[i])
	}
	return string(out)
}
