package mailbox

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// vcal wraps VEVENTs (each given as its lines) in a VCALENDAR.
func vcal(events ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rekindle//test//EN\r\n")
	for _, e := range events {
		b.WriteString("BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\n")
		for _, l := range strings.Split(strings.TrimSpace(e), "\n") {
			b.WriteString(strings.TrimSpace(l) + "\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

func parseCal(t *testing.T, s string) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(s)).Decode()
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return cal
}

func calPeople(t *testing.T) *People {
	t.Helper()
	cfg, err := config.Parse("t.toml", []byte(`
[[contact]]
name = "Ana"
email = ["ana@example.org", "ana.work@example.com"]
[[contact]]
name = "Bo"
email = ["bo@example.net"]
`))
	if err != nil {
		t.Fatal(err)
	}
	return NewPeople(cfg)
}

// The rules of the README's "Learning from your calendar", one occurrence
// each: what counts as talking with someone, and why the rest do not.
func TestMeetingsJudged(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	from := now.AddDate(0, -6, 0)
	att := Attendance{Me: []string{"Me@Home.example"}, MaxAttendees: 5, Source: "caldav:work"}
	const me = "mailto:me@home.example"
	tests := []struct {
		name  string
		event string
		want  []string // contacts talked with; nil: ignored
		why   string   // the reason, when ignored
	}{
		{"organised by me", "UID:a\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ana@example.org", []string{"ana"}, ""},
		{"accepted by me", "UID:b\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ANA@example.org\nATTENDEE;PARTSTAT=ACCEPTED:" + me, []string{"ana"}, ""},
		{"with a second address and a + tag", "UID:b2\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana.work+cal@example.com\nATTENDEE;PARTSTAT=ACCEPTED:" + me, []string{"ana"}, ""},
		{"received, not answered", "UID:c\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=NEEDS-ACTION:" + me, nil, "an invitation you did not accept (needs-action)"},
		{"received, no PARTSTAT", "UID:c2\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana@example.org\nATTENDEE:" + me, nil, "an invitation you did not accept (needs-action)"},
		{"declined", "UID:d\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=DECLINED:" + me, nil, "an invitation you did not accept (declined)"},
		{"tentative", "UID:e\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=TENTATIVE:" + me, nil, "an invitation you did not accept (tentative)"},
		{"cancelled", "UID:f\nSTATUS:CANCELLED\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE:mailto:ana@example.org", nil, "cancelled"},
		{"not ended", "UID:g\nDTSTART:20261207T113000Z\nDTEND:20261207T123000Z\nORGANIZER:" + me + "\nATTENDEE:mailto:ana@example.org", nil, "has not ended yet"},
		{"too many", "UID:h\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE:mailto:ana@example.org\nATTENDEE:mailto:x1@example.org\nATTENDEE:mailto:x2@example.org\nATTENDEE:mailto:x3@example.org\nATTENDEE:mailto:x4@example.org", nil, "6 people (more than max_attendees = 5)"},
		{"five is not too many", "UID:h2\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE:mailto:ana@example.org\nATTENDEE:mailto:bo@example.net\nATTENDEE:mailto:x2@example.org\nATTENDEE:mailto:x3@example.org", []string{"ana", "bo"}, ""},
		{"a person who declined was not there", "UID:i\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE;PARTSTAT=DECLINED:mailto:ana@example.org\nATTENDEE:mailto:bo@example.net", []string{"bo"}, ""},
		{"nobody known", "UID:j\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:" + me + "\nATTENDEE:mailto:zed@example.org", nil, "with nobody in the config"},
		{"not mine", "UID:k\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bo@example.net", nil, "you are neither its organizer nor among its attendees (see me =)"},
		{"alone", "UID:l\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z", nil, "no one else is invited"},
		{"all-day, ended", "UID:m\nDTSTART;VALUE=DATE:20261201\nORGANIZER:" + me + "\nATTENDEE:mailto:bo@example.net", []string{"bo"}, ""},
	}
	people := calPeople(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, problems := Meetings(parseCal(t, vcal(tc.event)), people, att, from, now, time.UTC)
			if len(problems) > 0 || len(ms) != 1 {
				t.Fatalf("%d meetings, problems %v; want one", len(ms), problems)
			}
			l := ms[0].Learned
			var got []string
			for _, e := range l.Events {
				if e.Kind != journal.Talked || e.Source != "caldav:work" || !e.At.Equal(ms[0].Start) || e.Dedup == "" {
					t.Errorf("event %+v", e)
				}
				got = append(got, e.Contact)
			}
			if !slices.Equal(got, tc.want) || l.Ignored != tc.why {
				t.Errorf("talked with %v, ignored %q; want %v, %q", got, l.Ignored, tc.want, tc.why)
			}
		})
	}
}

// A weekly meeting counts each week it happened: not the week struck out
// (EXDATE), not the week cancelled (an override with STATUS:CANCELLED), the
// week moved to another day on that day, and no week still to come; each
// occurrence has its own dedup key, the same on every read.
func TestRecurringMeetings(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC) // in the meeting of the 7th
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	att := Attendance{Me: []string{"me@home.example"}, MaxAttendees: 5, Source: "ics:cal"}
	master := `UID:weekly
DTSTART;TZID=Europe/Paris:20261102T100000
DTEND;TZID=Europe/Paris:20261102T110000
RRULE:FREQ=WEEKLY;COUNT=10
EXDATE;TZID=Europe/Paris:20261109T100000
ORGANIZER:mailto:ana@example.org
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example`
	cancelled := `UID:weekly
RECURRENCE-ID;TZID=Europe/Paris:20261116T100000
STATUS:CANCELLED
DTSTART;TZID=Europe/Paris:20261116T100000
DTEND;TZID=Europe/Paris:20261116T110000
ORGANIZER:mailto:ana@example.org
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example`
	moved := `UID:weekly
RECURRENCE-ID;TZID=Europe/Paris:20261123T100000
DTSTART;TZID=Europe/Paris:20261125T150000
DTEND;TZID=Europe/Paris:20261125T160000
ORGANIZER:mailto:ana@example.org
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example`
	declinedOnce := `UID:weekly
RECURRENCE-ID;TZID=Europe/Paris:20261130T100000
DTSTART;TZID=Europe/Paris:20261130T100000
DTEND;TZID=Europe/Paris:20261130T110000
ORGANIZER:mailto:ana@example.org
ATTENDEE;PARTSTAT=DECLINED:mailto:me@home.example`
	cal := parseCal(t, vcal(master, cancelled, moved, declinedOnce))
	ms, problems := Meetings(cal, calPeople(t), att, from, now, time.UTC)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var counted, ignored []string
	keys := map[string]bool{}
	for _, m := range ms {
		day := m.Start.UTC().Format("01-02T15")
		if m.Learned.Ignored != "" {
			ignored = append(ignored, day+" "+m.Learned.Ignored)
			continue
		}
		counted = append(counted, day)
		keys[m.Learned.Events[0].Dedup] = true
	}
	// Paris is UTC+1 in November and December.
	wantCounted := []string{"11-02T09", "11-25T14"}
	wantIgnored := []string{"11-16T09 cancelled", "11-30T09 an invitation you did not accept (declined)", "12-07T09 has not ended yet"}
	if !slices.Equal(counted, wantCounted) || !slices.Equal(ignored, wantIgnored) {
		t.Errorf("counted %v, ignored %v\nwant %v, %v", counted, ignored, wantCounted, wantIgnored)
	}
	if len(keys) != len(counted) {
		t.Errorf("%d dedup keys for %d occurrences", len(keys), len(counted))
	}
	again, _ := Meetings(parseCal(t, vcal(master, cancelled, moved, declinedOnce)), calPeople(t), att, from, now, time.UTC)
	for _, m := range again {
		for _, e := range m.Learned.Events {
			if !keys[e.Dedup] {
				t.Errorf("the occurrence of %s has another key on a second read", m.Start)
			}
		}
	}
}

// A rule that repeats every second since June is refused at once as not a
// meeting, not expanded into millions of occurrences (which took 18 s for
// three days of them); a daily one over years is read.
func TestRecurringWithoutEnd(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	att := Attendance{Me: []string{"me@home.example"}, MaxAttendees: 5, Source: "ics:x"}
	start := time.Now()
	ms, problems := Meetings(parseCal(t, vcal("UID:s\nDTSTART:20260601T000000Z\nDTEND:20260601T000001Z\nRRULE:FREQ=SECONDLY\nORGANIZER:mailto:me@home.example\nATTENDEE:mailto:ana@example.org")),
		calPeople(t), att, now.AddDate(0, -6, 0), now, time.UTC)
	if len(ms) != 0 || len(problems) != 1 || !strings.Contains(problems[0].Error(), "not a meeting") {
		t.Errorf("%d meetings, problems %v", len(ms), problems)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
	ms, problems = Meetings(parseCal(t, vcal("UID:d\nDTSTART:20000101T090000Z\nDTEND:20000101T091500Z\nRRULE:FREQ=DAILY\nORGANIZER:mailto:me@home.example\nATTENDEE:mailto:ana@example.org")),
		calPeople(t), att, now.AddDate(0, 0, -7), now, time.UTC)
	if len(ms) != 7 || len(problems) != 0 {
		t.Errorf("a daily meeting since 2000: %d meetings in a week, problems %v", len(ms), problems)
	}
}

// A meeting from Outlook names its zone the Windows way ("W. Europe
// Standard Time"), which no zone database knows: it is read in the
// config's zone rather than lost.
func TestMeetingInAWindowsZone(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, berlin)
	ms, problems := Meetings(parseCal(t, vcal("UID:o\nDTSTART;TZID=W. Europe Standard Time:20261203T100000\nDTEND;TZID=W. Europe Standard Time:20261203T110000\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example")),
		calPeople(t), Attendance{Me: []string{"me@home.example"}, MaxAttendees: 5, Source: "ics:x"}, now.AddDate(0, -1, 0), now, berlin)
	if len(problems) != 0 || len(ms) != 1 || len(ms[0].Learned.Events) != 1 || !ms[0].Start.Equal(time.Date(2026, 12, 3, 10, 0, 0, 0, berlin)) {
		t.Errorf("meetings %+v, problems %v", ms, problems)
	}
}
