package mailbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
)

// Every source type config reads opens here, as itself, and every type
// that opens here is one config reads: a type with its config file and not
// its code, or the other way round, fails.
func TestEverySourceTypeOpens(t *testing.T) {
	t.Parallel()
	minimal := map[string]string{
		"imap":        "host = \"127.0.0.1\"\ntls = \"none\"\nusername = \"me\"\npassword = \"pw\"\n",
		"maildir":     "path = \"" + t.TempDir() + "\"\n",
		"carddav":     "url = \"https://cloud.example.org\"\nusername = \"me\"\npassword = \"pw\"\n",
		"caldav":      "url = \"https://cal.example.org\"\nusername = \"me@example.org\"\npassword = \"pw\"\n",
		"ics":         "url = \"https://cal.example.org/private-x/basic.ics\"\nme = [\"me@example.org\"]\n",
		"phonebackup": "path = \"" + t.TempDir() + "\"\n",
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

// The cursors the journal's migration carried over (in the form it
// writes, journal.TestMigrationCarriesCursorsOver) are read by the types:
// a Maildir folder read up to a time is not read again before it, and an
// IMAP folder read up to a UID is resumed after it.
func TestCarriedCursorsAreRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	inbox := filepath.Join(root, "INBOX")
	os.MkdirAll(filepath.Join(root, "Sent", "cur"), 0o700)
	now := time.Now()
	deliver(t, inbox, "cur", "1.a", msg("bo@example.net", "me@home.example", now.Add(-72*time.Hour).Format(time.RFC1123Z), "b1@example.net"), now.Add(-72*time.Hour))
	cfg, j := homeMaildir(t, root)
	j.SetCursor(ctx, "maildir:home", inbox, []byte(fmt.Sprintf(`{"scanned":%d}`, now.Add(-24*time.Hour).UnixMilli())))
	res, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: now}).Run(ctx)
	if err != nil || res.Read != 0 {
		t.Errorf("a Maildir read up to yesterday: %+v, %v; want nothing read again", res, err)
	}

	var c imapCursor
	j.SetCursor(ctx, "imap:work", "INBOX", []byte(`{"validity":1700000000,"last_uid":4321}`))
	(&Sync{Source: &config.Source{Type: "imap", Name: "work"}, Store: j}).cursor(ctx, "INBOX", &c)
	if c != (imapCursor{Validity: 1700000000, LastUID: 4321}) {
		t.Errorf("an IMAP cursor carried over reads as %+v", c)
	}
}
