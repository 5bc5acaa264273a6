package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
)

// TestDaemonMeetingResetsCadence: the real binary, a real Radicale. Dana is
// due; a meeting with her is in the calendar, running when the daemon
// starts. It does not count while it runs (a read SIGHUP asks for then
// learns nothing); once it has ended, the next read learns it, and status
// says she is no longer due; her check-in, which ntfy refused (503) and
// which waits to be tried again, is cancelled at once and never sent. A
// meeting Eli merely invited the user to changes nothing for him. (Reads
// every interval are pinned in fake time by mailbox's
// TestLoopReadsEveryIntervalAndWhenAsked.)
func TestDaemonMeetingResetsCadence(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.FailNext(6, http.StatusServiceUnavailable, "") // each first tries and their retries for ~30 s
	rad := radicaletest.Start(t, radicaletest.Options{})
	cal := rad.MakeCalendar(t, "personal", "Personal")
	now := time.Now().UTC().Truncate(time.Second)
	stamp := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	rad.Put(t, cal+"party.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:party-eli\r\nDTSTAMP:"+stamp(now)+
		"\r\nDTSTART:"+stamp(now.Add(-3*time.Hour))+"\r\nDTEND:"+stamp(now.Add(-2*time.Hour))+"\r\nORGANIZER:mailto:eli@example.org\r\n"+
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@home.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	// The coffee is put once the daemon runs, and ends 3 s later.
	coffee := func(end time.Time) {
		rad.Put(t, cal+"coffee.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:coffee-dana\r\nDTSTAMP:"+stamp(now)+
			"\r\nDTSTART:"+stamp(end.Add(-time.Hour))+"\r\nDTEND:"+stamp(end)+"\r\nSUMMARY:Coffee with Dana (private)\r\nORGANIZER:mailto:me@home.example\r\n"+
			"ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}
	e := newEnv(t, ntfyConfig(srv.URL, "")+fmt.Sprintf(`
[sources.calendar]
type = "caldav"
url = %q
username = %q
password = %q
me = ["me@home.example"]
interval = "1h"

[[contact]]
name = "Dana"
email = ["dana@example.org"]
last_interaction = 2026-01-01

[[contact]]
name = "Eli"
email = ["eli@example.org"]
last_interaction = 2026-01-01
`, rad.URL, rad.User, rad.Password))
	status := func() string {
		t.Helper()
		out, err := e.command(t, "status", "--json").CombinedOutput()
		if err != nil {
			t.Fatalf("status: %v\n%s", err, out)
		}
		return string(out)
	}
	if s := status(); strings.Count(s, `"state": "due"`) != 2 {
		t.Fatalf("before: want both due\n%s", s)
	}
	p := e.start(t)
	p.waitLog(t, "reading the calendar every interval", 10*time.Second)
	end := time.Now().Add(3 * time.Second).Truncate(time.Second)
	coffee(end)
	p.cmd.Process.Signal(syscall.SIGHUP) // read while the coffee runs
	time.Sleep(time.Until(end))
	p.cmd.Process.Signal(syscall.SIGHUP) // and once it has ended
	const learned = `msg="learned from the calendar" source=calendar read=2 used=1 ignored=1 unreadable=0 events=1`
	p.waitLog(t, learned, 25*time.Second)
	// Her check-in waits for ntfy's backoff; it is cancelled at once.
	p.waitLog(t, `msg="cancelled a pending reminder" contact=dana kind=check_in channel=phone why="no longer due: last talked on`, 5*time.Second)
	// Learned once it had ended, not before.
	line := p.stderr.String()
	line = line[strings.LastIndex(line[:strings.Index(line, learned)], "time=")+5:]
	if at, err := time.Parse(time.RFC3339Nano, line[:strings.IndexByte(line, ' ')]); err != nil || at.Before(end) {
		t.Errorf("learned at %v (%v); the meeting ended at %v", at, err, end)
	}
	p.stop(t)
	for _, m := range srv.Received() {
		if strings.Contains(m.Title, "Dana") {
			t.Errorf("Dana's check-in was sent after the meeting: %q", m.Title)
		}
	}
	s := status()
	if want := `"reason": "last talked on ` + end.UTC().Add(-time.Hour).Format(time.DateOnly); !strings.Contains(s, want) || strings.Count(s, `"state": "due"`) != 1 {
		t.Errorf("after the meeting: want Dana no longer due (%s), Eli still due\n%s", want, s)
	}
	if log := p.stderr.String(); strings.Contains(log, "Coffee") || strings.Contains(log, "dana@example.org") || strings.Contains(log, rad.Password) {
		t.Errorf("the log shows the meeting, an address or the password:\n%s", log)
	}
}

// sync NAME --dry-run says of each meeting in the calendar whether it
// counts, with whom, or why not, in plain words: no title, no address,
// not the calendar's private address; it writes nothing. sync then learns
// what the dry run said, once.
func TestSyncCalendarDryRun(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	stamp := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	event := func(uid string, start time.Time, lines string) string {
		return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:" + stamp(now) + "\r\nDTSTART:" + stamp(start) + "\r\nDTEND:" + stamp(start.Add(time.Hour)) +
			"\r\nSUMMARY:Private title " + uid + "\r\n" + strings.ReplaceAll(lines, "\n", "\r\n") + "\r\nEND:VEVENT\r\n"
	}
	day := func(n int) time.Time { return now.Truncate(time.Hour).AddDate(0, 0, -n) }
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
		event("a", day(1), "ORGANIZER:mailto:dana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example") +
		event("b", day(2), "ORGANIZER:mailto:dana@example.org\nATTENDEE;PARTSTAT=DECLINED:mailto:me@home.example") +
		event("c", day(3), "STATUS:CANCELLED\nORGANIZER:mailto:me@home.example\nATTENDEE:mailto:dana@example.org") +
		"END:VCALENDAR\r\n"
	const private = "/calendar/ical/private-0f1e2d3c4b5a/basic.ics"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != private {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"1"`)
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, fmt.Sprintf("timezone = \"UTC\"\n[sources.google]\ntype = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n\n[[contact]]\nname = \"Dana\"\nemail = [\"dana@example.org\"]\nlast_interaction = 2026-01-01\n", srv.URL+private))
	run := func(args ...string) string {
		t.Helper()
		out, err := e.command(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if s := string(out); strings.Contains(s, "Private title") || strings.Contains(s, "@") || strings.Contains(s, "0f1e2d3c4b5a") {
			t.Errorf("%v shows a title, an address or the private address:\n%s", args, s)
		}
		return string(out)
	}
	at := func(n int) string { return day(n).Format("2006-01-02 15:04") }
	dry := run("sync", "google", "--dry-run")
	for _, want := range []string{
		"google  calendar  " + at(3) + "  ignored  cancelled\n",
		"google  calendar  " + at(2) + "  ignored  an invitation you did not accept (declined)\n",
		"google  calendar  " + at(1) + "  talked   dana\n",
		"google: 3 meetings read, 1 used, 2 ignored, 0 unreadable; nothing written (dry run)\n",
	} {
		if !strings.Contains(dry, want) {
			t.Errorf("dry run: want %q in\n%s", want, dry)
		}
	}
	if out := run("sync", "google"); !strings.Contains(out, "google  "+at(1)+"  talked  dana\n") || !strings.Contains(out, "1 event learned") {
		t.Errorf("sync:\n%s", out)
	}
	if out := run("sync", "google"); !strings.Contains(out, "0 events learned") {
		t.Errorf("sync again:\n%s", out)
	}
	if out := run("sync", "--check", "google"); !strings.Contains(out, "google  ics  ok: the calendar at 127.0.0.1") {
		t.Errorf("check:\n%s", out)
	}
	// The address reset: sync fails, says what to do, and status warns of
	// it until it works, never showing the address.
	e.write(t, strings.Replace(readCalendarConfig(t, e.config), "private-0f1e2d3c4b5a", "private-0ld0ld0ld0ld", 1))
	out, err := e.command(t, "sync").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "rekindle: hint: the private address may have been reset") || strings.Contains(string(out), "0ld0ld") {
		t.Errorf("sync of a reset address: %v\n%s", err, out)
	}
	out, _ = e.command(t, "status").CombinedOutput()
	if !strings.Contains(string(out), "warning: the calendar source google has been failing since") || strings.Contains(string(out), "0ld0ld") {
		t.Errorf("status after a failing sync:\n%s", out)
	}
}

func readCalendarConfig(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMeetingToComeHoldsCheckIn: the real binary and a calendar at an ics
// address. Dana is due; a coffee with her in two days, accepted, holds her
// check-in: after a sync status says she is ok and that you are seeing her
// then. The coffee cancelled on the server, the next sync brings her
// check-in back.
func TestMeetingToComeHoldsCheckIn(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	stamp := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	start := now.Truncate(time.Hour).Add(48 * time.Hour)
	coffee := func(status string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:coffee\r\nDTSTAMP:" + stamp(now) +
			"\r\nDTSTART:" + stamp(start) + "\r\nDTEND:" + stamp(start.Add(time.Hour)) + "\r\n" + status +
			"ORGANIZER:mailto:dana@example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:me@home.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	var mu sync.Mutex
	body, version := coffee(""), 1
	const private = "/calendar/ical/private-0f1e2d3c4b5a/basic.ics"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != private {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%d"`, version)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, fmt.Sprintf("timezone = \"UTC\"\n[sources.google]\ntype = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n\n[[contact]]\nname = \"Dana\"\nemail = [\"dana@example.org\"]\nlast_interaction = 2026-01-01\n", srv.URL+private))
	run := func(args ...string) string {
		t.Helper()
		out, err := e.command(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if s := run("status", "--json"); !strings.Contains(s, `"state": "due"`) {
		t.Fatalf("before: want Dana due\n%s", s)
	}
	run("sync", "google")
	s := run("status", "--json")
	if want := "you are seeing them on " + start.Weekday().String(); !strings.Contains(s, `"state": "ok"`) || !strings.Contains(s, want) {
		t.Errorf("after the sync: want Dana ok, %q\n%s", want, s)
	}
	mu.Lock()
	body, version = coffee("STATUS:CANCELLED\r\n"), 2
	mu.Unlock()
	run("sync", "google")
	if s := run("status", "--json"); !strings.Contains(s, `"state": "due"`) || strings.Contains(s, "seeing") {
		t.Errorf("after the cancel: want Dana due again\n%s", s)
	}
}
