package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStartLinksNoHeavyInitialisers: every command, `rekindle version`
// included, runs the initialisers of every package linked into the binary
// before main. Libraries that a few lines of rekindle's own do the work of
// are not linked: client_golang (with protobuf and procfs, for a dozen
// numbers on /metrics), and testify (test assertions and mocks, which
// nikoksr/notify's discord, matrix, mattermost, msteams and pushover
// services carry into a program).
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
	var inits []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if name, ok := strings.CutPrefix(line, "init "); ok {
			inits = append(inits, strings.Fields(name)[0])
		}
	}
	if len(inits) < 10 {
		t.Fatalf("GODEBUG=inittrace=1 showed %d initialisers:\n%s", len(inits), out)
	}
	for _, pkg := range inits {
		for _, heavy := range []string{"github.com/prometheus/", "google.golang.org/protobuf/", "github.com/stretchr/testify/", "github.com/stretchr/objx"} {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("%s is initialised at every start", pkg)
			}
		}
	}
}
