package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A calendar source's settings: what each type needs, what it refuses,
// and a private address that is never said back.
func TestCalendarSources(t *testing.T) {
	dir := t.TempDir()
	const private = "https://calendar.example.org/ical/me/private-5ecretcafe/basic.ics"
	urlFile := filepath.Join(dir, "calendar-url")
	os.WriteFile(urlFile, []byte("webcal://calendar.example.org/ical/me/private-5ecretcafe/basic.ics\n"), 0o600)
	tests := []struct {
		name, table string
		problem     string // "" for none
	}{
		{"caldav, me from the login", "type = \"caldav\"\nurl = \"https://cloud.example.org\"\nusername = \"me@example.org\"\npassword = \"pw\"", ""},
		{"caldav over http elsewhere", "type = \"caldav\"\nurl = \"http://cloud.example.org\"\nusername = \"me@example.org\"\npassword = \"pw\"", "http:// sends your calendar and login in the clear"},
		{"caldav over http here", "type = \"caldav\"\nurl = \"http://127.0.0.1:5232\"\nusername = \"me@example.org\"\npassword = \"pw\"", ""},
		{"caldav without a password", "type = \"caldav\"\nurl = \"https://cloud.example.org\"\nusername = \"me@example.org\"", "needs password (or password_file)"},
		{"caldav, a login that is no address", "type = \"caldav\"\nurl = \"https://cloud.example.org\"\nusername = \"me\"\npassword = \"pw\"", "needs me = "},
		{"ics without me", "type = \"ics\"\nurl = \"" + private + "\"", "needs me = "},
		{"ics", "type = \"ics\"\nurl = \"" + private + "\"\nme = [\"me@example.org\"]", ""},
		{"ics from a file, webcal", "type = \"ics\"\nurl_file = \"" + urlFile + "\"\nme = [\"me@example.org\"]", ""},
		{"ics not https", "type = \"ics\"\nurl = \"ftp://calendar.example.org/private-5ecretcafe\"\nme = [\"me@example.org\"]", "is not an https address"},
		{"a mail setting", "type = \"ics\"\nurl = \"" + private + "\"\nme = [\"me@example.org\"]\nmax_recipients = 3", "takes max_attendees"},
		{"one attendee", "type = \"ics\"\nurl = \"" + private + "\"\nme = [\"me@example.org\"]\nmax_attendees = 1", "must be 2 or more"},
		{"me not an address", "type = \"ics\"\nurl = \"" + private + "\"\nme = [\"me\"]", "\"me\" is not an email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse(filepath.Join(dir, "c.toml"), []byte("[sources.cal]\n"+tc.table+"\n"))
			switch {
			case tc.problem == "" && err != nil:
				t.Fatalf("unexpected: %v", err)
			case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
				t.Fatalf("got %v; want %q", err, tc.problem)
			}
			if err != nil && strings.Contains(err.Error(), "5ecretcafe") {
				t.Errorf("a problem shows the private address: %v", err)
			}
			if err != nil {
				return
			}
			switch spec := cfg.Sources["cal"].Spec.(type) {
			case *CalDAVSpec:
				if !slices.Equal(spec.Me, []string{"me@example.org"}) || spec.MaxAttendees != DefaultMaxAttendees {
					t.Errorf("%+v", spec)
				}
			case *ICSSpec:
				if spec.URL.Reveal() != private {
					t.Errorf("url %q; want %q", spec.URL.Reveal(), private)
				}
				if got := cfg.Redactor().String("GET " + private + " failed"); strings.Contains(got, "5ecretcafe") {
					t.Errorf("the redactor leaves the address: %s", got)
				}
			}
		})
	}
}
