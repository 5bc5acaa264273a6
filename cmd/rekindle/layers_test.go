package main

import (
	gobuild "go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// floors are the module's packages from the ground up, as the layout in
// docs/development.md lists them: a package imports only those below it.
// The packages under internal/ are a floor below all of them.
var floors = []string{
	"rules", "journal", "links", "config", "phone", "importer", "compose", "notifier", "deliver", "scheduler",
	"calendar", "addressbook", "mailbox", "reload", "watch", "web", "cmd/rekindle",
}

// TestImportsRunDown: no package imports one on a floor above it (nor
// itself through others: that would need an arrow up), internal/ imports
// none of the floors, and every package of the module is on a floor, so a
// new one fails here until it is placed.
func TestImportsRunDown(t *testing.T) {
	t.Parallel()
	const module = "github.com/rekindle/rekindle/"
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := gobuild.ImportDir(filepath.Join(root, e.Name()), 0); e.IsDir() && err == nil && !slices.Contains(floors, e.Name()) {
			t.Errorf("package %s is on no floor: add it to floors and to the layout in docs/development.md", e.Name())
		}
	}
	check := func(pkg string, floor int) {
		p, err := gobuild.ImportDir(filepath.Join(root, pkg), 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			q, ok := strings.CutPrefix(imp, module)
			if !ok || strings.HasPrefix(q, "internal/") {
				continue
			}
			if i := slices.Index(floors, q); i < 0 || i >= floor {
				t.Errorf("%s imports %s, which is not on a floor below it", pkg, q)
			}
		}
	}
	for i, pkg := range floors {
		check(pkg, i)
	}
	internal, _ := filepath.Glob(filepath.Join(root, "internal", "*"))
	for _, dir := range internal {
		if rel, _ := filepath.Rel(root, dir); filepath.Base(rel) != "testsupport" {
			check(rel, 0)
		}
	}
}
