package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/wneessen/go-mail"

	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
)

const emailChannel = "[channels.mail]\ntype = \"email\"\nhost = \"smtp.example.com\"\nfrom = %s\nto = [%s]\n"

// TestEmailAddressesAsTheMailLibraryReadsThem: check accepts a from or to
// address exactly when the library that sends accepts it, so no address
// passes check and then fails every delivery.
func TestEmailAddressesAsTheMailLibraryReadsThem(t *testing.T) {
	addrs := []string{
		"me@example.org",
		"rekindle <me@example.org>",
		"Jörg Müller <j@example.org>",
		`"Müller, Jörg" <j@example.org>`,
		"J. Doe <j@example.org>",
		"me@example.org (rekindle)",
		"Müller, Jörg <j@example.org>", // the comma makes two addresses of it
		"O'Brien, Pat <p@example.org>",
		"Jörg;Müller <j@example.org>",
		"me@example.org, you@example.org",
		"rekindle <me@example.org",
		"me@",
		"me at example.org",
		"a b@example.org",
	}
	for _, a := range addrs {
		lit := fmt.Sprintf("%q", a)
		for _, field := range []string{"from", "to"} {
			var src string
			if field == "from" {
				src = fmt.Sprintf(emailChannel, lit, `"me@example.org"`)
			} else {
				src = fmt.Sprintf(emailChannel, `"me@example.org"`, lit)
			}
			msg := mail.NewMsg()
			sendErr := msg.From(a)
			if field == "to" {
				sendErr = msg.To(a)
			}
			_, err := Parse("test.toml", []byte(src))
			switch {
			case sendErr == nil && err != nil:
				t.Errorf("%s = %q: check refuses what the mail library sends with:\n%v", field, a, err)
			case sendErr != nil && err == nil:
				t.Errorf("%s = %q: check accepts it, and every send fails: %v", field, a, sendErr)
			case err != nil:
				line := map[string]string{"from": "4", "to": "5"}[field]
				if want := "test.toml:" + line + ":1: channels.mail." + field + `: "` + a + `" is not one email address`; !strings.Contains(err.Error(), strings.ReplaceAll(want, `"`+a+`"`, lit)) {
					t.Errorf("%s = %q: error\n%v\nwant it to contain\n%s", field, a, err, want)
				}
			}
		}
	}
}

// TestEmailNameWithACommaGetsTheFix: the error for a name with a comma
// shows the line to write, and that line passes check and the mail library.
func TestEmailNameWithACommaGetsTheFix(t *testing.T) {
	for _, a := range []string{"Müller, Jörg <j@example.org>", "O'Brien, Pat <p@example.org>", "Dr. Lima, Ana <ana@example.org>"} {
		_, err := Parse("test.toml", []byte(fmt.Sprintf(emailChannel, fmt.Sprintf("%q", a), `"me@example.org"`)))
		if err == nil {
			t.Fatalf("from = %q passes check", a)
		}
		m := regexp.MustCompile(`goes in double quotes: (from = .*)$`).FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("from = %q: no fix in\n%v", a, err)
		}
		fixed := fmt.Sprintf(emailChannel, "X", `"me@example.org"`)
		fixed = strings.Replace(fixed, "from = X", m[1], 1)
		cfg, err := Parse("test.toml", []byte(fixed))
		if err != nil {
			t.Fatalf("the fix %s does not pass check: %v", m[1], err)
		}
		from := cfg.Channels["mail"].Spec.(*EmailSpec).From
		if err := mail.NewMsg().From(from); err != nil {
			t.Errorf("the fix %s: the mail library refuses %q: %v", m[1], from, err)
		}
		if !strings.Contains(from, strings.Split(a, " <")[0]) {
			t.Errorf("the fix %s lost the name of %q", m[1], a)
		}
	}
}

// TestNtfyReservedTopics: every name the ntfy server refuses as a topic is
// refused by check, at its line; the same letters in another case are not
// reserved.
func TestNtfyReservedTopics(t *testing.T) {
	for _, topic := range ntfytest.ReservedTopics {
		_, err := Parse("test.toml", []byte("[channels.p]\ntype = \"ntfy\"\ntopic = \""+topic+"\"\n"))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("topic = %q passes check; ntfy refuses it at every send", topic)
			continue
		}
		want := `test.toml:3:1: channels.p.topic: "` + topic + `" is one of the names ntfy keeps for itself`
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
		}
	}
	for _, topic := range []string{"Docs", "APP", "app-reminders", "v2", "login1"} {
		if _, err := Parse("test.toml", []byte("[channels.p]\ntype = \"ntfy\"\ntopic = \""+topic+"\"\n")); err != nil {
			t.Errorf("topic = %q: %v; ntfy accepts it", topic, err)
		}
	}
}
