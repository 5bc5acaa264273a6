package calendar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/scheduler"
)

// longNames are people whose names make content lines long: ASCII, and
// two-, three- and four-byte characters shifted by one to three ASCII
// letters, so that the 75th octet falls on every byte of a character.
func longNames() []string {
	names := []string{strings.Repeat("Bartholomew ", 12) + "Longfellow"}
	for shift := range 4 {
		pad := strings.Repeat("x", shift)
		names = append(names,
			pad+"Αικατερίνη Παπαδοπούλου-Κωνσταντινίδου Θεοδωροπούλου",
			pad+"山田 太郎左衛門之助右衛門三郎次郎四郎五郎六郎七郎八郎九郎十郎",
			pad+"Zoë 😀🎉🌍🚀 Müller-Lüdenscheidt 🎂🎈🎁",
		)
	}
	return names
}

// writeFeed writes the plan of the ten days after 2026-11-30 for people,
// each due on 2026-12-01 with a birthday and a long other date in the
// window, with links to their pages.
func writeFeed(t *testing.T, names []string) []byte {
	t.Helper()
	var src strings.Builder
	src.WriteString("timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\nmax_per_run = 0\n[defaults]\nremind_again = \"0\"\n")
	for _, n := range names {
		fmt.Fprintf(&src, "[[contact]]\nname = %q\nlast_interaction = 2026-11-01\nbirthday = 1989-12-03\n", n)
		fmt.Fprintf(&src, "[contact.dates]\n%q = \"--12-05\"\n", "the day "+n+" moved to Θεσσαλονίκη with the whole family")
	}
	cfg, err := config.Parse("people.toml", []byte(src.String()))
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 30, 12, 0, 0, 0, cfg.Location)
	plan := scheduler.Plan(cfg, scheduler.People(cfg, nil), nil, from, from.AddDate(0, 0, 10))
	var b bytes.Buffer
	if err := Write(&b, plan, Options{Now: from, Link: PersonLinks(cfg, "127.0.0.1:8785")}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// unfold joins folded lines: a CRLF followed by a space goes.
func unfold(raw []byte) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(raw), "\r\n ", ""), "\r\n"), "\r\n")
}

// TestFeedLinesAreFolded: no physical line of the feed is longer than 75
// octets, each is valid UTF-8 on its own (no fold inside a character), and
// the feed unfolded gives every name whole.
func TestFeedLinesAreFolded(t *testing.T) {
	names := longNames()
	raw := writeFeed(t, names)
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("the feed does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	for i, l := range physical {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d is cut inside a character: %q", i+1, l)
		}
		if strings.Contains(l, "\r") || strings.Contains(l, "\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, l)
		}
	}
	content := unfold(raw)
	longest := 0
	for _, l := range content {
		longest = max(longest, len(l))
	}
	if len(physical) <= len(content) || longest < 200 {
		t.Fatalf("the feed has %d lines, %d unfolded, the longest %d octets; the test needs long ones", len(physical), len(content), longest)
	}
	for _, n := range names {
		for _, want := range []string{"SUMMARY:Catch up with " + n, "SUMMARY:" + n + "'s birthday (37)", "SUMMARY:" + n + ": the day " + n + " moved to Θεσσαλονίκη with the whole family"} {
			if !slices.Contains(content, want) {
				t.Errorf("unfolded, the feed lacks the line %q", want)
			}
		}
	}
	// A parser of its own (arran4/golang-ical) reads every event whole.
	cal, err := ics.ParseCalendar(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range cal.Events() {
		got[e.GetProperty(ics.ComponentPropertySummary).Value] = true
	}
	for _, n := range names {
		if !got["Catch up with "+n] {
			t.Errorf("golang-ical does not read the check-in of %q", n)
		}
	}
}

// pyEvents reads a calendar with Python's icalendar, a parser written apart
// from both Go libraries, and returns its name and its events' summaries,
// descriptions and links.
const pyEvents = `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
out = {"name": cal.name, "version": str(cal.get("VERSION")), "events": []}
for e in cal.walk("VEVENT"):
    out["events"].append({k: str(e.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "URL", "UID")})
print(json.dumps(out))
`

type pyCalendar struct {
	Name, Version string
	Events        []map[string]string
}

func readInPython(t *testing.T, raw []byte) pyCalendar {
	t.Helper()
	py := needs.PythonModule(t, "python3-icalendar", "icalendar")
	path := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", pyEvents, path).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("python's icalendar does not read the feed: %s", msg)
	}
	var cal pyCalendar
	if err := json.Unmarshal(out, &cal); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return cal
}

// TestFeedReadsInPython: Python's icalendar reads the folded feed, every
// event with its name, reason and link whole.
func TestFeedReadsInPython(t *testing.T) {
	names := longNames()
	cal := readInPython(t, writeFeed(t, names))
	if cal.Name != "VCALENDAR" || cal.Version != "2.0" || len(cal.Events) != 3*len(names) {
		t.Fatalf("read %s version %s with %d events; want VCALENDAR 2.0 with %d", cal.Name, cal.Version, len(cal.Events), 3*len(names))
	}
	bySummary := map[string]map[string]string{}
	for _, e := range cal.Events {
		bySummary[e["SUMMARY"]] = e
	}
	for _, n := range names {
		e, ok := bySummary["Catch up with "+n]
		if !ok {
			t.Errorf("no check-in for %q", n)
			continue
		}
		if !strings.Contains(e["DESCRIPTION"], "30 days since you last talked (2026-11-01)") || !strings.HasPrefix(e["URL"], "http://127.0.0.1:8785/people/") {
			t.Errorf("%q: %+v", n, e)
		}
		b := bySummary[n+"'s birthday (37)"]
		if !strings.HasPrefix(b["DESCRIPTION"], n+"'s birthday (37). rekindle reminds you on") {
			t.Errorf("%q's birthday: %+v", n, b)
		}
	}
}

// TestEmptyWindowIsACalendar: with no reminder in the window the feed is
// still a calendar, with no events, that parsers read.
func TestEmptyWindowIsACalendar(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, func(func(scheduler.Planned) bool) {}, Options{Now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("an empty window: %v", err)
	}
	raw := b.Bytes()
	lines := unfold(raw)
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" || !slices.Contains(lines, "VERSION:2.0") ||
		!slices.Contains(lines, "PRODID:-//rekindle//rekindle plan//EN") || bytes.Contains(raw, []byte("VEVENT")) {
		t.Errorf("an empty window:\n%s", raw)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(raw))
	if err != nil || len(cal.Events()) != 0 {
		t.Errorf("golang-ical reads %v events: %v", len(cal.Events()), err)
	}
	if py := readInPython(t, raw); py.Name != "VCALENDAR" || py.Version != "2.0" || len(py.Events) != 0 {
		t.Errorf("python's icalendar reads %+v", py)
	}
}
