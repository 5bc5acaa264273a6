package mailbox

import (
	"slices"
	"testing"

	"github.com/rekindle/rekindle/config"
)

// Every source type config reads opens here, as itself, and every type
// that opens here is one config reads: a type with its config file and not
// its code, or the other way round, fails.
func TestEverySourceTypeOpens(t *testing.T) {
	minimal := map[string]string{
		"imap":    "host = \"127.0.0.1\"\ntls = \"none\"\nusername = \"me\"\npassword = \"pw\"\n",
		"maildir": "path = \"" + t.TempDir() + "\"\n",
	}
	for _, typ := range config.SourceTypes() {
		cfg, err := config.Parse("t.toml", []byte("[sources.s]\ntype = \""+typ+"\"\n"+minimal[typ]))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		s, err := Open(cfg.Sources["s"])
		if err != nil || s.Config() != cfg.Sources["s"] {
			t.Errorf("%s: Open = %v, %v", typ, s, err)
		}
		if got := Label(cfg.Sources["s"]); got != typ+":s" {
			t.Errorf("%s: Label = %q", typ, got)
		}
	}
	if got, want := Types(), config.SourceTypes(); !slices.Equal(got, want) {
		t.Errorf("mailbox opens %v, config reads %v: each type needs both", got, want)
	}
}
