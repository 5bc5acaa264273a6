package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree writes files under a new directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIncludeReadsContactsFromEveryMatch(t *testing.T) {
	dir := tree(t, map[string]string{
		"config.toml": `include = ["people/*.toml", "family.toml"]
[groups.close]
every = "1w"
[[contact]]
name = "Ana"
`,
		"people/b.toml":    "[[contact]]\nname = \"Bea\"\ngroup = \"close\"\n",
		"people/a.toml":    "[[contact]]\nname = \"Abe\"\n\n[[contact]]\nname = \"Ada\"\nevery = \"3d\"\n",
		"family.toml":      "[[contact]]\nname = \"Mum\"\n",
		"people/notes.txt": "not toml",
	})
	cfg, err := Load(filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cfg.Contacts {
		names = append(names, c.Name)
	}
	// The config's own first, then each pattern's matches in name order.
	if got := strings.Join(names, ","); got != "Ana,Abe,Ada,Bea,Mum" {
		t.Errorf("contacts in order %s; want Ana,Abe,Ada,Bea,Mum", got)
	}
	bea, _ := cfg.Lookup("bea")
	if bea == nil || bea.Settings.Every.Days != 7 {
		t.Errorf("an included contact takes its group from the config: %+v", bea)
	}
	ada, _ := cfg.Lookup("ada")
	if ada == nil || ada.Settings.Every.Days != 3 {
		t.Errorf("ada: %+v", ada)
	}
	for id, want := range map[string]string{"ana": "config.toml", "abe": "people/a.toml", "bea": "people/b.toml", "mum": "family.toml"} {
		if f, _ := cfg.Source(id); f != filepath.Join(dir, want) {
			t.Errorf("%s comes from %s; want %s", id, f, want)
		}
	}
	if len(cfg.Included) != 3 {
		t.Errorf("included %v", cfg.Included)
	}
	for _, f := range []string{"config.toml", "people/a.toml", "people/new.toml", "family.toml"} {
		if !cfg.Watched(filepath.Join(dir, f)) {
			t.Errorf("a change to %s is not watched", f)
		}
	}
	if cfg.Watched(filepath.Join(dir, "people/notes.txt")) {
		t.Error("a file no pattern matches is watched")
	}
	if w := cfg.Warnings(time.Now()); w != nil {
		t.Errorf("warnings: %v", w)
	}
}

// Each problem names the file, line and column where it is, whichever file
// that is, and one pass reports them all.
func TestIncludeErrorsNameTheirFile(t *testing.T) {
	dir := tree(t, map[string]string{
		"config.toml": `include = ["people/*.toml"]
[[contact]]
name = "Ana"
evry = "1w"
`,
		"people/a.toml": `[[contact]]
name = "Abe"

[[contact]]
name = "Ana"
id = "ana"

[[contact]]
name = "Cy"
cooldown = "soon"
`,
		"people/b.toml": "schedule = \"0 9 * * *\"\n\n[[contact]]\nname = \"Dee\"\n",
	})
	_, err := Load(filepath.Join(dir, "config.toml"))
	if err == nil {
		t.Fatal("loaded")
	}
	msg := err.Error()
	for _, want := range []string{
		filepath.Join(dir, "config.toml") + `:4:1: contact[0] (Ana).evry: unknown key`,
		filepath.Join(dir, "people/a.toml") + `:6:1: contact[1] (Ana).id: duplicate id "ana": contact[0] (Ana) in ` + filepath.Join(dir, "config.toml"),
		filepath.Join(dir, "people/a.toml") + `:10:1: contact[2] (Cy).cooldown:`,
		filepath.Join(dir, "people/b.toml") + `:1:1: schedule: an included file holds [[contact]] tables only`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if n := len(Split(err)); n != 3 {
		t.Errorf("%d errors; want one per file with problems (3)", n)
	}
}

func TestIncludeMissingAndEmpty(t *testing.T) {
	dir := tree(t, map[string]string{
		"config.toml": "include = [\"gone.toml\"]\n",
		"glob.toml":   "include = [\"people/*.toml\"]\n",
		"self.toml":   "include = [\"self.toml\"]\n",
		"nested.toml": "include = [\"inner.toml\"]\n",
		"inner.toml":  "include = [\"x.toml\"]\n",
		"future.toml": "include = [\"people.toml\"]\n",
		"people.toml": "[[contact]]\nname = \"Zed\"\n\n[[contact]]\nname = \"Yu\"\nlast_interaction = 2099-01-02\n",
	})
	if _, err := Load(filepath.Join(dir, "config.toml")); err == nil || !strings.Contains(err.Error(), "gone.toml does not exist") {
		t.Errorf("a named file that is missing: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "self.toml")); err == nil || !strings.Contains(err.Error(), "this config file itself") {
		t.Errorf("a config including itself: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nested.toml")); err == nil || !strings.Contains(err.Error(), "inner.toml:1:1: include: an included file holds [[contact]] tables only") {
		t.Errorf("an include within an included file: %v", err)
	}
	// A pattern that matches nothing yet (before the first import) is
	// allowed, with a warning.
	cfg, err := Load(filepath.Join(dir, "glob.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(time.Now()); w == nil || !strings.Contains(w.Error(), "glob.toml:1:1: include: "+filepath.Join(dir, "people/*.toml")+" matches no file yet") {
		t.Errorf("warning: %v", w)
	}
	cfg, err = Load(filepath.Join(dir, "future.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); w == nil || !strings.Contains(w.Error(), "people.toml:6:1: contact[1] (Yu).last_interaction: 2099-01-02 is after today") {
		t.Errorf("a warning in an included file names its line: %v", w)
	}
}

// An included file that is not a regular file is an error, never a hang.
func TestIncludeRefusesFIFOs(t *testing.T) {
	dir := tree(t, map[string]string{"config.toml": "include = [\"people/*.toml\"]\n", "people/a.toml": "[[contact]]\nname = \"A\"\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "people/fifo.toml"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, err := Load(filepath.Join(dir, "config.toml"))
	if err == nil || !strings.Contains(err.Error(), "fifo.toml is not a regular file (a FIFO)") {
		t.Errorf("a FIFO among the included files: %v", err)
	}
}
