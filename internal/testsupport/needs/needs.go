// Package needs lets a test say which system program it needs. A missing
// program skips the test with the Debian package to install, so the
// README's test command passes on a fresh machine; under CI=true (where
// .ci/run installs every one of them) a missing program fails the test.
package needs

import (
	"os"
	"os/exec"
	"sync"
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

// PythonModule returns the path of a python3 that imports module, or
// skips (fails under CI) naming pkg, the Debian package that brings it.
// Debian's own /usr/bin/python3, where its packages go, is tried before
// the python3 on PATH, which may be another installation.
func PythonModule(t testing.TB, pkg, module string) string {
	t.Helper()
	pythons.Lock()
	defer pythons.Unlock()
	p, ok := pythons.with[module]
	if !ok {
		p = python(module)
		pythons.with[module] = p
	}
	if p == "" {
		Missing(t, "python3 with the "+module+" module not found: install Debian's "+pkg+" package (.ci/run does)")
	}
	return p
}

// pythons remembers which python3 imports a module (or none: ""), as
// asking costs a second with some installations.
var pythons = struct {
	sync.Mutex
	with map[string]string
}{with: map[string]string{}}

func python(module string) string {
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(name); err == nil && exec.Command(p, "-c", "import "+module).Run() == nil {
			return p
		}
	}
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
