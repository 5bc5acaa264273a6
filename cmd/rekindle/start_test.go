package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestStartLinksNoHeavyInitialisers: every command, `rekindle version`
// included, runs the initialisers of every package linked into the binary
// before main. Libraries that a few lines of rekindle's own do the work of
// are not linked: client_golang (with protobuf and procfs, for a dozen
// numbers on /metrics), and testify (test assertions and mocks, which
// nikoksr/notify's discord, matrix, mattermost, msteams and pushover
// services carry into a program). And rekindle's own packages do no work
// at start that a command may never need.
//
// protobuf is linked for nyaruka/phonenumbers alone (its metadata is
// protobuf, decoded at start: about 5 ms and 2.5 MB, the price of matching
// calls and texts by number, see docs/speed.md).
func TestStartLinksNoHeavyInitialisers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cmd := exec.Command(binary(t), "version")
	cmd.Env = append(cmd.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rekindle version: %v\n%s", err, out)
	}
	// init PACKAGE @T ms, C ms clock, B bytes, A allocs
	var inits []string
	allocs := map[string]int{}
	for line := range strings.SplitSeq(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "init "); ok {
			f := strings.Fields(rest)
			inits = append(inits, f[0])
			if len(f) >= 10 {
				allocs[f[0]], _ = strconv.Atoi(f[8])
			}
		}
	}
	if len(inits) < 10 {
		t.Fatalf("GODEBUG=inittrace=1 showed %d initialisers:\n%s", len(inits), out)
	}
	for _, pkg := range inits {
		for _, heavy := range []string{"github.com/prometheus/", "github.com/stretchr/testify/", "github.com/stretchr/objx"} {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("%s is initialised at every start", pkg)
			}
		}
	}
	// rekindle's own packages compile their expressions when first used
	// (config's eight regular expressions took 1,439 allocations at every
	// start, notifier's 204).
	for _, pkg := range []string{"github.com/rekindle/rekindle/config", "github.com/rekindle/rekindle/notifier"} {
		if n, ok := allocs[pkg]; !ok || n > 100 {
			t.Errorf("%s's initialiser made %d allocations (shown: %v); want at most 100", pkg, n, ok)
		}
	}
}
