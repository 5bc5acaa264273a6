package compose

import (
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/everykind"
)

func reminderMessage(t *testing.T, cfg *config.Config, tmpl *Templates, id string, at time.Time) Message {
	t.Helper()
	if id == "" {
		return TestMessage("golden")
	}
	c, r := everykind.Due(t, cfg, id, at)
	m, err := tmpl.Render(Reminder{Contact: c, Result: r, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTemplateOverrides(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(everykind.People+`
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
	cfg, err := config.Parse("people.toml", []byte(everykind.People))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := NewTemplates(nil)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	for _, tc := range everykind.Cases[:6] {
		m := reminderMessage(t, cfg, tmpl, tc.ID, at)
		if len(m.Title) > 60 || len(m.Text()) > 700 {
			t.Errorf("%s: title of %d and text of %d bytes; reminders are meant to be brief", tc.Name, len(m.Title), len(m.Text()))
		}
		if tc.Name != "let_be" && !strings.Contains(m.Text(), "Something to send") {
			t.Errorf("%s: no opener:\n%s", tc.Name, m.Text())
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
