package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const imapTable = "[sources.mail]\ntype = \"imap\"\nhost = \"imap.example.org\"\nusername = \"me\"\npassword = \"pw\"\n"

// TestPhoneFolders reads phone = [...] of both mail source types: the IMAP
// names as written, a Maildir's found as its sent folder is (Maildir++'s
// .SMS when it is there, else SMS), and none without the key.
func TestPhoneFolders(t *testing.T) {
	cfg := mustParse(t, imapTable+"phone = [\"SMS\", \"Call log\"]\n")
	if got := cfg.Sources["mail"].Spec.(*IMAPSpec).Phone; !slices.Equal(got, []string{"SMS", "Call log"}) {
		t.Errorf("imap phone = %q", got)
	}
	cfg = mustParse(t, imapTable)
	if got := cfg.Sources["mail"].Spec.(*IMAPSpec).Phone; got != nil {
		t.Errorf("imap without phone reads %q; want no folder", got)
	}

	root := t.TempDir()
	for _, d := range []string{".SMS/cur", "Call log/cur"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg = mustParse(t, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\nphone = [\"SMS\", \"Call log\", \"Texts\", \"/abs/Calls\"]\n")
	want := []string{filepath.Join(root, ".SMS"), filepath.Join(root, "Call log"), filepath.Join(root, ".Texts"), "/abs/Calls"}
	if got := cfg.Sources["home"].Spec.(*MaildirSpec).Phone; !slices.Equal(got, want) {
		t.Errorf("maildir phone = %q; want %q", got, want)
	}
}

func TestPhoneFoldersBad(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"a string", imapTable + "phone = \"SMS\"\n", `6:1: sources.mail.phone: must be a list: phone = ["SMS"]`},
		{"a number", imapTable + "phone = [1]\n", `6:1: sources.mail.phone: must be a list of strings; found`},
		{"empty name", imapTable + "phone = [\"SMS\", \" \"]\n", `6:1: sources.mail.phone: a folder's name is empty; SMS Backup+'s folders are "SMS" and "Call log"`},
		{"twice", imapTable + "phone = [\"SMS\", \"SMS\"]\n", `6:1: sources.mail.phone: "SMS" is named twice`},
		{"the inbox", imapTable + "phone = [\"inbox\"]\n", `6:1: sources.mail.phone: "inbox" is read as mail (inbox or sent)`},
		{"the sent folder", imapTable + "sent = [\"Sent\"]\nphone = [\"Sent\"]\n", `7:1: sources.mail.phone: "Sent" is read as mail`},
		{"maildir sent", "[sources.home]\ntype = \"maildir\"\npath = \"/m\"\nphone = [\"Sent\", \"SMS\"]\n", `4:1: sources.home.phone: "Sent" is read as mail`},
		{"misspelt", imapTable + "phnoe = [\"SMS\"]\n", `6:1: sources.mail.phnoe: unknown key; did you mean "phone"?`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), "test.toml:"+tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}
