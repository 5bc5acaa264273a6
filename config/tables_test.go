package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
)

// lines is n lines made by line(i).
func lines(n int, line func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestManyTablesAreRefused: files that open a table every few bytes, by
// dotted keys or by short headers, are refused by the pre-check at the line
// where they pass the bound, in well under a second. Before, they passed
// it, and the decoder spent seconds and hundreds of megabytes on each
// megabyte (4 MB of them: 3.4 s and 413 MB for keys of 4 parts, 10 s and
// 718 MB for headers of 4 parts, 92 s and 1.2 GB to check keys of 16
// parts), then listed every unknown key.
func TestManyTablesAreRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, config string
		want         *regexp.Regexp
	}{
		{"60,000 distinct keys of 4 dotted parts", lines(60000, func(i int) string { return fmt.Sprintf("k%d.b.c.d = 1", i) }),
			regexp.MustCompile(`^\S+/config.toml:\d{4,}:1: this file opens more than \d+ tables \(table headers, parts of dotted keys, inline tables\) for its \d+ bytes`)},
		{"20,000 distinct keys of 16 dotted parts", lines(20000, func(i int) string { return fmt.Sprintf("k%d.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p = 1", i) }),
			regexp.MustCompile(`^\S+/config.toml:1:10: a key or table name of more than 4 dotted parts`)},
		{"100,000 short table headers", lines(100000, func(i int) string { return fmt.Sprintf("[k%d.b]", i) }),
			regexp.MustCompile(`^\S+/config.toml:\d{4,}:2: this file opens more than`)},
		{"300,000 empty inline tables", "a = [" + strings.Repeat("{},", 300000) + "]\n",
			regexp.MustCompile(`^\S+/config.toml:1:\d{4,}: this file opens more than`)},
		{"the same keys within a table", "[t]\n" + lines(60000, func(i int) string { return fmt.Sprintf("k%d.b.c = 1", i) }),
			regexp.MustCompile(`^\S+/config.toml:\d{4,}:1: this file opens more than`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "config.toml")
			os.WriteFile(path, []byte(tc.config), 0o600)
			began := time.Now()
			_, err := Load(path)
			if took := time.Since(began); took > time.Second {
				t.Errorf("took %v to refuse", took)
			}
			if err == nil || !tc.want.MatchString(err.Error()) {
				msg := fmt.Sprint(err)
				t.Fatalf("error %.300s; want %v", msg, tc.want)
			}
		})
	}
}

// TestProblemsAreCapped: a file of thousands of unknown keys reports the
// first MaxProblems in file order and how many more there are, instead of
// listing them all (15,000 unknown keys took 20 s to report; 228,000, 54 s
// and 78 MB of text).
func TestProblemsAreCapped(t *testing.T) {
	const n = 5000
	_, err := Parse("config.toml", []byte(lines(n, func(i int) string { return fmt.Sprintf("key%d = %d", i, i) })))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v; want a config error", err)
	}
	if len(ce.Problems) != MaxProblems || ce.Omitted != n-MaxProblems {
		t.Fatalf("%d problems listed and %d left out; want %d and %d", len(ce.Problems), ce.Omitted, MaxProblems, n-MaxProblems)
	}
	for i, p := range ce.Problems {
		if p.Pos.Line != i+1 || p.Key != fmt.Sprintf("key%d", i) {
			t.Fatalf("problem %d is %v at %v; want key%d at line %d (the first ones, in file order)", i, p.Key, p.Pos, i, i+1)
		}
	}
	if want := "config.toml: and 4900 more problems; fix these and run rekindle check again"; !strings.HasSuffix(ce.Error(), "\n"+want) {
		t.Errorf("the report ends %q; want %q", ce.Error()[max(0, len(ce.Error())-120):], want)
	}
}

// TestRealConfigsPassTheTableBound: rekindle's real shapes stay within the
// pre-check's bounds: the benchmark's 100,000 contacts, the example config,
// a list of terse contacts each with its [contact.dates] (what import
// writes), dotted keys as deep as the schema goes, and a channel's headers.
func TestRealConfigsPassTheTableBound(t *testing.T) {
	var big strings.Builder
	if err := contacts.Write(&big, 100000, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	terse := lines(50000, func(i int) string {
		return fmt.Sprintf("[[contact]]\nname = \"A%d\"\n[contact.dates]\nx = 2019-06-01", i)
	})
	dotted := "channels.hook.type = \"webhook\"\nchannels.hook.url = \"https://example.org/hook\"\nchannels.hook.headers.Authorization = \"Bearer x\"\n" +
		"templates.check_in.title = \"t\"\ngroups.family.every = \"7d\"\n" +
		"[channels.other]\ntype = \"webhook\"\nurl = \"https://example.org/hook\"\n[channels.other.headers]\nX = \"y\"\n" +
		lines(50000, func(i int) string {
			return fmt.Sprintf("[[contact]]\nname = \"A%d\"\ndates.x = 2019-06-01\ndates.y = {month = 1}", i)
		})
	for name, text := range map[string]string{"100,000 contacts": big.String(), "the example": string(example), "terse contacts with dates": terse, "dotted keys": dotted} {
		if p, ok := checkNesting(text, MaxNesting); !ok {
			t.Errorf("%s: refused: %v", name, p)
		}
	}
}
