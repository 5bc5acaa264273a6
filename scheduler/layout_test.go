package scheduler

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposesWithoutTransports: scheduler composes every reminder when it
// becomes due, and so depends on the composer (compose), never on the
// channels (notifier) or the delivery engine (deliver): a new transport
// must not reach the rules' caller. The module's own imports are followed
// from this package's files, as `go list -deps` would.
func TestComposesWithoutTransports(t *testing.T) {
	t.Parallel()
	const module = "github.com/rekindle/rekindle"
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(path string)
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.ImportDir(filepath.Join(root, strings.TrimPrefix(path, module)), 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				walk(imp)
			}
		}
	}
	walk(module + "/scheduler")
	if !seen[module+"/compose"] {
		t.Errorf("scheduler does not reach compose; the test follows the wrong imports: %v", seen)
	}
	for _, banned := range []string{"notifier", "deliver"} {
		if seen[module+"/"+banned] {
			t.Errorf("scheduler depends on %s; it should reach the composer only", banned)
		}
	}
}
