package compose

import (
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/rules"
)

const people = `timezone = "Europe/Berlin"

[[contact]]
name = "Alice Moreau"
last_interaction = 2026-10-20
every = "2w"
interests = ["chess", "trail running"]
notes = "Started a new job in October."

[[contact]]
name = "Newcomer"

[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-20
notes = "We argued about the move. I was short with him."

[[contact]]
name = "Emil <the> Great & Co"
last_interaction = 2026-10-01
reached_out = [2026-11-25]
max_unanswered = 3

[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-25]
interests = ["climbing"]

[[contact]]
name = "Zed"
last_interaction = 2026-08-15
reached_out = [2026-11-20, 2026-11-25]

[[contact]]
name = "Ines Duarte"
last_interaction = 2026-11-25
birthday = 1989-12-02
interests = ["pottery"]

[[contact]]
name = "Olga"
last_interaction = 2026-09-01
fallout = 2026-11-28
birthday = "--12-01"
interests = ["sailing"]

[[contact]]
name = "Pat"
last_interaction = 2026-11-25
[contact.dates]
anniversary = 2020-12-02
"moved to Lisbon" = 2025-12-03
`

// cases are a reminder of every kind, and the variants that read
// differently: a first hello, a last try, the test message.
var cases = []struct {
	name, id string
}{
	{"check_in", "alice-moreau"},
	{"check_in-first", "newcomer"},
	{"cooldown_over", "bob"},
	{"follow_up", "emil-the-great-co"},
	{"follow_up-last-try", "dana"},
	{"let_be", "zed"},
	{"occasion", "ines-duarte"},
	{"occasion-quiet", "olga"},
	{"occasion-anniversary", "pat"},
	{"test", ""},
}

func reminderMessage(t *testing.T, cfg *config.Config, tmpl *Templates, id string, at time.Time) Message {
	t.Helper()
	if id == "" {
		return TestMessage("golden")
	}
	c, ok := cfg.Lookup(id)
	if !ok {
		t.Fatalf("no contact %s", id)
	}
	r := rules.Evaluate(c.Settings, &c.Dates, nil, at)
	if !r.IsDue(at) {
		t.Fatalf("%s is not due at %v: %s", id, at, r.Reason(at))
	}
	m, err := tmpl.Render(Reminder{Contact: c, Result: r, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTemplateOverrides(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(people+`
[templates.check_in]
title = "Call {{.First}}!"
opener = "Yo {{.First}}"
`))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := NewTemplates(cfg.Templates)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	m := reminderMessage(t, cfg, tmpl, "alice-moreau", at)
	if m.Title != "Call Alice!" || !strings.Contains(m.Text(), `"Yo Alice"`) || !strings.Contains(m.Text(), "It has been 42 days") {
		t.Errorf("override not applied: %q\n%s", m.Title, m.Text())
	}

	for _, bad := range []map[string]map[string]string{
		{"check_in": {"title": "Hi {{.Nmae}}"}},
		{"let_be": {"lead": "{{if}}"}},
	} {
		if _, err := NewTemplates(bad); err == nil || !strings.Contains(err.Error(), "templates.") {
			t.Errorf("NewTemplates(%v) = %v; want an error naming the template", bad, err)
		}
	}
}

func TestMessagesStayBrief(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(people))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := NewTemplates(nil)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	for _, tc := range cases[:6] {
		m := reminderMessage(t, cfg, tmpl, tc.id, at)
		if len(m.Title) > 60 || len(m.Text()) > 700 {
			t.Errorf("%s: title of %d and text of %d bytes; reminders are meant to be brief", tc.name, len(m.Title), len(m.Text()))
		}
		if tc.name != "let_be" && !strings.Contains(m.Text(), "Something to send") {
			t.Errorf("%s: no opener:\n%s", tc.name, m.Text())
		}
	}
	bob := reminderMessage(t, cfg, tmpl, "bob", at)
	if !strings.Contains(bob.Text(), "your own part") || !strings.Contains(strings.ToLower(bob.Text()), "sorry") {
		t.Errorf("cooldown_over must invite reflection and an apology:\n%s", bob.Text())
	}
	zed := reminderMessage(t, cfg, tmpl, "zed", at)
	if !strings.Contains(zed.Text(), "stay quiet") || !strings.Contains(zed.Text(), "until they reply") {
		t.Errorf("let_be must say rekindle stays quiet until they reply:\n%s", zed.Text())
	}
	dana := reminderMessage(t, cfg, tmpl, "dana", at)
	if !strings.Contains(dana.Title, "last try") {
		t.Errorf("a last try must say so: %q", dana.Title)
	}
}
