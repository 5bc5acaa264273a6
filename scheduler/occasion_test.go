package scheduler

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/journal"
)

const occasionConfig = `timezone = "Europe/Berlin"
schedule = "0 9 * * *"
max_per_run = 2
[defaults]
remind_again = "3d"
every = "26w"
[[contact]]
name = "Ines"
last_interaction = 2026-11-25
birthday = 1989-12-02
[[contact]]
name = "Olga"
last_interaction = 2026-11-25
fallout = 2026-11-28
cooldown = "30d"
birthday = "--12-01"
[[contact]]
name = "Leap"
last_interaction = 2026-11-25
birthday = "02-29"
occasion_notice = "0"
[[contact]]
name = "Pat"
last_interaction = 2026-11-25
occasion_notice = "1w"
[contact.dates]
anniversary = 2020-01-05
[[contact]]
name = "Paused"
paused = true
birthday = 1990-12-03
[[contact]]
name = "Once"
last_interaction = 2026-09-01
fallout = 2026-11-28
cooldown = "3d"
remind_again = "0"
[contact.dates]
"first met" = "--12-04"
[[contact]]
name = "Lou"
last_interaction = 2026-11-25
birthday = 1990-12-04
`

// The plan and the daemon's runs agree on occasions: each comes once a
// year, occasion_notice before its day, over a cooldown, never for someone
// paused or let be; 29 February is on the 28th in 2027.
func TestOccasionsPlanAndDaemonAgree(t *testing.T) {
	t.Parallel()
	cfg := load(t, occasionConfig)
	tmpl, err := compose.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j := openJournal(t)
	from := berlin("2026-11-30 10:00")
	if _, err := j.Add(ctx, journal.Event{Contact: "lou", Kind: journal.LetBe, At: from.Add(-time.Hour), Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	events, _ := j.Events(ctx)
	until := from.AddDate(0, 0, 400)

	var planned []string
	for p := range Plan(cfg, People(cfg, events), nil, from, until) {
		s := p.At.Format("2006-01-02") + " " + p.Contact.ID + " " + string(p.Kind)
		if name, day := p.Occasion(); name != "" {
			s += " " + name + " " + day.Format("01-02")
		}
		planned = append(planned, s)
	}

	// The daemon: a run at each slot, with what it enqueues read back.
	var ran []string
	for slot := NextSlot(cfg.Schedule, from, cfg.Location); !slot.After(until); slot = NextSlot(cfg.Schedule, slot, cfg.Location) {
		before, _ := j.Deliveries(ctx, "", 0)
		if _, err := RunOnce(ctx, cfg, tmpl, j, slot, slot); err != nil {
			t.Fatal(err)
		}
		after, _ := j.Deliveries(ctx, "", 0)
		for _, d := range after[:len(after)-len(before)] {
			s := slot.Format("2006-01-02") + " " + d.Contact + " " + d.Kind
			if d.Kind == "occasion" {
				var m compose.Message
				if err := m.UnmarshalJSON(d.Message); err != nil {
					t.Fatal(err)
				}
				s += " " + occasionWord(m.Title) + " " + d.Anchor.In(cfg.Location).Format("01-02")
			}
			ran = append(ran, s)
		}
	}
	slices.Sort(ran) // the outbox lists newest first
	sorted := slices.Clone(planned)
	slices.Sort(sorted)
	if strings.Join(sorted, "\n") != strings.Join(ran, "\n") {
		t.Errorf("the plan and the daemon differ:\nplan:\n%s\n\ndaemon:\n%s", strings.Join(sorted, "\n"), strings.Join(ran, "\n"))
	}

	var occasions []string
	for _, p := range planned {
		if strings.Contains(p, " occasion ") {
			occasions = append(occasions, p)
		}
	}
	want := []string{
		"2026-12-01 olga occasion birthday 12-01", // her day is first
		"2026-12-01 ines occasion birthday 12-02",
		"2026-12-03 once occasion first met 12-04",
		"2026-12-29 pat occasion anniversary 01-05",
		"2027-02-28 leap occasion birthday 02-28",
		"2027-11-30 olga occasion birthday 12-01",
		"2027-12-01 ines occasion birthday 12-02",
		"2027-12-03 once occasion first met 12-04",
		"2027-12-29 pat occasion anniversary 01-05",
	}
	if strings.Join(occasions, "\n") != strings.Join(want, "\n") {
		t.Errorf("occasions:\n%s\nwant:\n%s", strings.Join(occasions, "\n"), strings.Join(want, "\n"))
	}
}

// occasionWord finds the occasion's name in a title the default templates
// wrote.
func occasionWord(title string) string {
	if strings.Contains(title, "birthday") {
		return "birthday"
	}
	if strings.Contains(title, "anniversary") {
		return "anniversary"
	}
	if strings.Contains(title, "first met") {
		return "first met"
	}
	return title
}
