package compose

import (
	"fmt"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
)

// TestOpenerCallsThemByName: the opener and the title greet someone by
// called = "...", else by the first word of the name that is not a title,
// the given name of a name written surname first; imports gave "Hey Mr.",
// "Hi Doe,!" and "Hey Müller,,".
func TestOpenerCallsThemByName(t *testing.T) {
	for _, tc := range []struct{ name, called, want string }{
		{"Mr. John Doe", "", "John"},
		{"Dr. Jane Roe", "", "Jane"},
		{"Prof Dr. Anna Weber", "", "Anna"},
		{"Doe, John", "", "John"},
		{"Müller, Jörg", "", "Jörg"},
		{"John Doe, Jr.", "", "John"},
		{"Ana Lima", "", "Ana"},
		{"Dr. Robert Smith", "Bob", "Bob"},
		{"Mx", "", "Mx"}, // a name that is a title alone stays itself
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := ""
			if tc.called != "" {
				called = fmt.Sprintf("called = %q\n", tc.called)
			}
			cfg, err := config.Parse("people.toml", []byte(fmt.Sprintf(`timezone = "Europe/Berlin"
[[contact]]
name = %q
id = "them"
%slast_interaction = 2026-10-20

[templates.check_in]
title = "Call {{.First}}?"
opener = "Hey {{.First}}, it's been too long."
`, tc.name, called)))
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := NewTemplates(cfg.Templates)
			if err != nil {
				t.Fatal(err)
			}
			m := reminderMessage(t, cfg, tmpl, "them", time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location))
			if want := "Call " + tc.want + "?"; m.Title != want {
				t.Errorf("title %q, want %q", m.Title, want)
			}
			if d := data(Reminder{Contact: &cfg.Contacts[0]}); d.First != tc.want {
				t.Errorf("First = %q, want %q", d.First, tc.want)
			}
		})
	}
}
