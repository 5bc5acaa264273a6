package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/scheduler"
)

const people = `timezone = "Europe/Berlin"
schedule = "0 9 * * *"
%s
[defaults]
remind_again = "0"
[[contact]]
name = "Ana Lima"
last_interaction = 2026-11-01
[[contact]]
name = "Ines Duarte"
last_interaction = 2026-11-28
birthday = 1989-12-03
[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-28
cooldown = "5d"
[contact.dates]
"moved to Lisbon" = "--12-06"
`

// feed writes the plan of the ten days after from and parses it with an
// iCalendar parser of its own (arran4/golang-ical), not the library that
// wrote it.
func feed(t *testing.T, top string, from time.Time) (*ics.Calendar, string) {
	t.Helper()
	cfg, err := config.Parse("people.toml", []byte(strings.Replace(people, "%s", top, 1)))
	if err != nil {
		t.Fatal(err)
	}
	from = from.In(cfg.Location)
	plan := scheduler.Plan(cfg, scheduler.People(cfg, nil), nil, from, from.AddDate(0, 0, 10))
	var b bytes.Buffer
	if err := Write(&b, plan, Options{Now: from, Link: PersonLinks(cfg, "127.0.0.1:8785")}); err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("the calendar does not parse: %v\n%s", err, b.String())
	}
	return cal, b.String()
}

type parsed struct {
	uid, summary, description, url string
	start, end                     time.Time
	allDay                         bool
}

func events(t *testing.T, cal *ics.Calendar) map[string]parsed {
	t.Helper()
	out := map[string]parsed{}
	for _, e := range cal.Events() {
		p := parsed{uid: e.Id()}
		get := func(prop ics.ComponentProperty) string {
			if v := e.GetProperty(prop); v != nil {
				return v.Value
			}
			return ""
		}
		p.summary, p.description, p.url = get(ics.ComponentPropertySummary), get(ics.ComponentPropertyDescription), get(ics.ComponentPropertyUrl)
		start := e.GetProperty(ics.ComponentPropertyDtStart)
		p.allDay = start != nil && len(start.ICalParameters["VALUE"]) > 0 && start.ICalParameters["VALUE"][0] == "DATE"
		var err error
		if p.allDay {
			p.start, err = e.GetAllDayStartAt()
			if err == nil {
				p.end, err = e.GetAllDayEndAt()
			}
		} else {
			p.start, err = e.GetStartAt()
			if err == nil {
				p.end, err = e.GetEndAt()
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", p.summary, err)
		}
		if _, dup := out[p.summary]; dup {
			t.Fatalf("two events named %q", p.summary)
		}
		out[p.summary] = p
	}
	return out
}

func TestCalendarReadsInAnotherParser(t *testing.T) {
	from := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cal, raw := feed(t, "", from)
	ev := events(t, cal)
	if len(ev) != 4 {
		t.Fatalf("%d events; want 4:\n%s", len(ev), raw)
	}
	ana := ev["Catch up with Ana Lima"]
	if ana.allDay || !ana.start.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) || ana.end.Sub(ana.start) != ReminderLength {
		t.Errorf("the check-in is a timed event at its delivery (09:00 Berlin): %+v", ana)
	}
	if !strings.Contains(ana.description, "30 days since you last talked (2026-11-01)") || ana.url != "http://127.0.0.1:8785/people/ana-lima" {
		t.Errorf("the check-in's reason and link: %+v", ana)
	}
	ines := ev["Ines Duarte's birthday (37)"]
	if !ines.allDay || ines.start.Format(time.DateOnly) != "2026-12-03" || ines.end.Format(time.DateOnly) != "2026-12-04" {
		t.Errorf("the birthday is an all-day event on its day: %+v", ines)
	}
	if !strings.Contains(ines.description, "reminds you on Wed 2 Dec at 09:00") {
		t.Errorf("the birthday says when the reminder comes: %q", ines.description)
	}
	if bob := ev["Reach out to Bob: the cooldown is over"]; !bob.start.Equal(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("bob: %+v", bob)
	}
	if moved := ev["Bob: moved to Lisbon"]; !moved.allDay || moved.start.Format(time.DateOnly) != "2026-12-06" {
		t.Errorf("an occasion without a year, during a cooldown: %+v", moved)
	}
}

// A calendar that fetches the feed again finds the same UIDs for the same
// reminders, whenever it fetches and even when a reminder moves within its
// day; a reminder on another day is another event.
func TestCalendarUIDsAreStable(t *testing.T) {
	first, _ := feed(t, "", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	later, _ := feed(t, "", time.Date(2026, 11, 30, 18, 30, 0, 0, time.UTC))
	moved, _ := feed(t, `quiet_hours = "08:00-10:30"`, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	a, b, c := events(t, first), events(t, later), events(t, moved)
	seen := map[string]bool{}
	for name, e := range a {
		if seen[e.uid] {
			t.Errorf("%s: UID %s used twice", name, e.uid)
		}
		seen[e.uid] = true
		if b[name].uid != e.uid {
			t.Errorf("%s: UID %s, then %s when fetched later", name, e.uid, b[name].uid)
		}
		if c[name].uid != e.uid {
			t.Errorf("%s: UID %s, then %s when moved within its day", name, e.uid, c[name].uid)
		}
	}
	if m := c["Catch up with Ana Lima"]; !m.start.Equal(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("quiet hours moved the check-in to %v; want 10:30 Berlin", m.start)
	}
}

// TestCalendarLinksCarryNoCredential: the calendar's host sees every
// event, so an event's link is the person's page and nothing that opens
// it: a signed link there would open a page (and its changes) to whoever
// holds the calendar, renewed at each fetch.
func TestCalendarLinksCarryNoCredential(t *testing.T) {
	from := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cal, raw := feed(t, "listen = \"127.0.0.1:8785\"\npublic_url = \"https://r.example.org\"\napi_token = \"calendar-token-0123456789\"", from)
	ev := events(t, cal)
	if ana := ev["Catch up with Ana Lima"]; ana.url != "https://r.example.org/people/ana-lima" {
		t.Errorf("the check-in's link is %q; want the page's address alone", ana.url)
	}
	if strings.Contains(raw, "?t=") || strings.Contains(raw, "calendar-token") {
		t.Errorf("the calendar carries a credential:\n%s", raw)
	}
}
