package scheduler

import (
	"testing"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

// A reply is told by how it came: a text learned from the phone (whatever
// source brought it) is never called an email.
func TestVia(t *testing.T) {
	cases := map[string]string{
		"cli":                                   "",
		"api":                                   "",
		"imap:mail":                             "email",
		"maildir:home":                          "email",
		phone.Source("mail"):                    "text",
		phone.Source("api"):                     "text",
		journal.LearnedSource("caldav", "work"): "email",
	}
	for source, want := range cases {
		if got := via(source); got != want {
			t.Errorf("via(%q) = %q; want %q", source, got, want)
		}
	}
}
