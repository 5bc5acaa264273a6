package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// uncommentPeople takes the # off the starter's commented people, as a
// new user does: each block from "# [[contact]]" to the next bare "#".
func uncommentPeople(s string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, "# [[contact]]") {
			in = true
		}
		if in && strings.TrimSpace(l) == "#" {
			in = false
		}
		if in {
			l = strings.TrimPrefix(l, "# ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// The starter passes check as it is, and each person it shows, once
// uncommented, is in the situation the comment above them says.
func TestStarterTeaches(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", dir)
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(starter), 0o600)
	var out, errOut bytes.Buffer
	if code := runAt([]string{"--config", cfg, "check"}, &out, &errOut, time.Now); code != 0 || errOut.Len() > 0 {
		t.Fatalf("check on the starter: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	full := uncommentPeople(starter)
	if n := strings.Count(full, "\n[[contact]]"); n != 4 {
		t.Fatalf("the starter shows %d people; want one of each of the 4 situations", n)
	}
	os.WriteFile(cfg, []byte(full), 0o600)
	for _, tc := range []struct {
		at   string
		want map[string]string // name: state in words
	}{
		{"2026-12-07", map[string]string{"Alice Moreau": "due: check-in", "Bob Okafor": "cooling down", "Dana Whitfield": "due: follow-up"}},
		{"2027-03-14T08:00", map[string]string{"Mum": "due: birthday"}},
	} {
		out.Reset()
		errOut.Reset()
		if code := runAt([]string{"--config", cfg, "status", "--at", tc.at}, &out, &errOut, time.Now); code != 0 {
			t.Fatalf("status --at %s: exit %d\n%s", tc.at, code, errOut.String())
		}
		for name, state := range tc.want {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` +` + regexp.QuoteMeta(state) + ` `).MatchString(out.String()) {
				t.Errorf("at %s, %s is not %q:\n%s", tc.at, name, state, out.String())
			}
		}
	}
}
