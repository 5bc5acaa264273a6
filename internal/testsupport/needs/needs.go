// Package needs lets a test say which system program it needs. A missing
// program skips the test with the Debian package to install, so the
// README's test command passes on a fresh machine; under CI=true (where
// .ci/run installs every one of them) a missing program fails the test.
package needs

import (
	"os"
	"os/exec"
	"testing"
)

// Program returns the path of the first of names found on PATH, or skips
// (fails under CI) naming pkg, the Debian package that brings it.
func Program(t testing.TB, pkg string, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, names[0]+" not found: install Debian's "+pkg+" package (.ci/run does)")
	return ""
}

// Missing skips the test for want of something, or fails it under CI.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}
