package mailbox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
)

// icsServer serves one calendar at a private path as Google and iCloud do:
// an ETag for each version, 304 to an If-None-Match that matches, 404
// anywhere else.
type icsServer struct {
	*httptest.Server
	path string

	mu       sync.Mutex
	body     string
	version  int
	full     int // answers with the calendar
	notMod   int // 304s
	asked    []string
	override func(w http.ResponseWriter) bool // answers instead, when it returns true
}

func newICSServer(t *testing.T, body string) *icsServer {
	s := &icsServer{path: "/calendar/ical/me%40example.org/private-5ecret0123456789/basic.ics", body: body, version: 1}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.override != nil && s.override(w) {
			return
		}
		if r.URL.EscapedPath() != s.path || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"v%d"`, s.version)
		s.asked = append(s.asked, r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == etag {
			s.notMod++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.full++
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		fmt.Fprint(w, s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *icsServer) set(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
	s.version++
}

func (s *icsServer) counts() (full, notMod int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.full, s.notMod
}

// An ics address is read whole once, then with If-None-Match: a 304 keeps
// what was learned and reads nothing; a new version is read; a meeting
// that had not ended is read again once it has, though the calendar did
// not change.
func TestICSConditionalRead(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	const me = "mailto:me@home.example"
	past := fmt.Sprintf("UID:past\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:ana@example.org", at(now.Add(-48*time.Hour)), at(now.Add(-47*time.Hour)), me)
	running := fmt.Sprintf("UID:running\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:bo@example.net", at(now.Add(-time.Hour)), at(now.Add(time.Hour)), me)
	srv := newICSServer(t, vcal(past, running))
	cfg := calSource(t, fmt.Sprintf("type = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n", srv.URL+srv.path))
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	sync := func(now time.Time) Result {
		t.Helper()
		res, err := (&Sync{Source: cfg.Sources["cal"], People: NewPeople(cfg), Store: j, Now: now}).Run(ctx)
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		return res
	}
	if res := sync(now); res.Added != 1 || res.Read != 2 {
		t.Errorf("first read: %+v; want the past meeting learned, the running one waiting", res)
	}
	if res := sync(now.Add(time.Minute)); res.Read != 0 || res.Added != 0 {
		t.Errorf("unchanged: %+v; want nothing read", res)
	}
	if full, notMod := srv.counts(); full != 1 || notMod != 1 {
		t.Errorf("the server sent the calendar %d times and 304 %d times; want 1 and 1", full, notMod)
	}
	// The running meeting has ended: the calendar is read whole again.
	if res := sync(now.Add(2 * time.Hour)); res.Added != 1 {
		t.Errorf("after the meeting ended: %+v; want it learned", res)
	}
	if full, _ := srv.counts(); full != 2 {
		t.Errorf("the calendar was sent %d times; want it asked for without If-None-Match once the meeting ended", full)
	}
	// A new version is read; what was learned is not learned again.
	added := fmt.Sprintf("UID:added\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:bo@example.net\nATTENDEE;PARTSTAT=ACCEPTED:%s", at(now.Add(-30*time.Hour)), at(now.Add(-29*time.Hour)), me)
	srv.set(vcal(past, running, added))
	if res := sync(now.Add(3 * time.Hour)); res.Added != 1 || res.Read != 3 {
		t.Errorf("a new version: %+v; want the one meeting added learned", res)
	}
	if srv.asked[len(srv.asked)-1] != `"v1"` {
		t.Errorf("last If-None-Match %q; want the ETag of the version read", srv.asked[len(srv.asked)-1])
	}
}

// What goes wrong with an ics address is said without the address (it is
// a password), with the fix: gone (the address was reset), not a
// calendar (a web page), too large, too slow.
func TestICSFailures(t *testing.T) {
	old := calendarLimits
	t.Cleanup(func() { calendarLimits = old })
	calendarLimits.body = 1 << 10
	calendarLimits.answer = 100 * time.Millisecond
	tests := []struct {
		name     string
		answer   func(w http.ResponseWriter) bool
		msg, fix string
	}{
		{"reset", func(w http.ResponseWriter) bool { w.WriteHeader(http.StatusNotFound); return true }, "404 Not Found", "copy it again"},
		{"a web page", func(w http.ResponseWriter) bool { fmt.Fprint(w, "<html><body>Sign in</body></html>"); return true }, "not a calendar", "in iCal format"},
		{"too large", func(w http.ResponseWriter) bool {
			w.Write([]byte(vcal("UID:x\nDTSTART:20261201T100000Z\nDESCRIPTION:" + strings.Repeat("x", 4<<10))))
			return true
		}, "larger than rekindle reads", ""},
		{"too slow", func(w http.ResponseWriter) bool { time.Sleep(400 * time.Millisecond); return false }, "no answer in time", "tries again later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newICSServer(t, vcal())
			srv.override = tc.answer
			cfg := calSource(t, fmt.Sprintf("type = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n", srv.URL+srv.path))
			_, err := Check(context.Background(), cfg.Sources["cal"])
			if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(hint.Of(err), tc.fix) {
				t.Fatalf("got %v (hint %q); want %q, fix %q", err, hint.Of(err), tc.msg, tc.fix)
			}
			if strings.Contains(err.Error(), "5ecret") || strings.Contains(hint.Of(err), "5ecret") {
				t.Errorf("the error shows the private address: %v", err)
			}
			if !strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("the error does not name the server: %v", err)
			}
		})
	}
}

// A talk logged by hand on the day of a meeting wins, however many hours
// apart in that day (the config's zone): the meeting adds nothing for that
// person, and a dry run says why. A log on another day does not.
func TestMeetingLoggedByHandWins(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	// A meeting at 08:00 in Berlin with Ana and Bo; Ana logged by hand at
	// 23:00 that day (15 hours later), Bo the day before.
	meeting := time.Date(2026, 12, 3, 8, 0, 0, 0, berlin)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, berlin)
	srv := newICSServer(t, vcal(fmt.Sprintf("UID:m\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:me@home.example\nATTENDEE:mailto:ana@example.org\nATTENDEE:mailto:bo@example.net",
		at(meeting), at(meeting.Add(time.Hour)))))
	cfg := calSource(t, fmt.Sprintf("type = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n", srv.URL+srv.path))
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Add(ctx, journal.Event{Contact: "ana-lima", Kind: journal.Talked, At: time.Date(2026, 12, 3, 23, 0, 0, 0, berlin), Source: "cli"})
	j.Add(ctx, journal.Event{Contact: "bo", Kind: journal.Talked, At: time.Date(2026, 12, 2, 17, 0, 0, 0, berlin), Source: "cli"})
	var notes []string
	s := &Sync{Source: cfg.Sources["cal"], People: NewPeople(cfg), Store: j, Now: now, DryRun: true,
		Seen: func(x Seen) { notes = append(notes, x.Learned.Ignored+x.Learned.Note) }}
	if _, err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0] != "(logged by hand that day: ana-lima)" {
		t.Errorf("dry run says %q", notes)
	}
	s.DryRun, s.Seen = false, nil
	res, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hist, _ := j.History(ctx, "", 0)
	var learned []string
	for _, e := range hist {
		if e.Source == "ics:cal" {
			learned = append(learned, e.Contact)
		}
	}
	if res.Added != 1 || len(learned) != 1 || learned[0] != "bo" {
		t.Errorf("learned %v (%+v); want Bo only", learned, res)
	}
}

// A meeting to come that would count is kept as planned, for each person
// in it; one declined, too large or for someone else is not; when the next
// read finds it cancelled, it is gone. Nothing to come is counted or shown.
func TestICSKeepsMeetingsToCome(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	const me = "mailto:me@home.example"
	friday := now.Add(96 * time.Hour)
	coffee := func(status string) string {
		return fmt.Sprintf("UID:coffee\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:%s%s",
			at(friday), at(friday.Add(time.Hour)), me, status)
	}
	declined := fmt.Sprintf("UID:declined\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:bo@example.net\nATTENDEE;PARTSTAT=DECLINED:%s",
		at(friday), at(friday.Add(time.Hour)), me)
	far := fmt.Sprintf("UID:far\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:bo@example.net",
		at(now.Add(PlannedAhead+24*time.Hour)), at(now.Add(PlannedAhead+25*time.Hour)), me)
	srv := newICSServer(t, vcal(coffee(""), declined, far))
	cfg := calSource(t, fmt.Sprintf("type = \"ics\"\nurl = %q\nme = [\"me@home.example\"]\n", srv.URL+srv.path))
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	sync := func(now time.Time) Result {
		t.Helper()
		res, err := (&Sync{Source: cfg.Sources["cal"], People: NewPeople(cfg), Store: j, Now: now}).Run(ctx)
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		return res
	}
	planned := func(id string) []journal.Event {
		t.Helper()
		evs, err := j.EventsOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	if res := sync(now); res.Read != 0 || res.Added != 0 {
		t.Errorf("first read: %+v; a meeting to come is neither read nor learned", res)
	}
	if evs := planned("ana-lima"); len(evs) != 1 || evs[0].Kind != journal.Planned || !evs[0].At.Equal(friday) || !evs[0].Until.Equal(friday.Add(time.Hour)) {
		t.Fatalf("ana: %+v; want the coffee on friday, planned", evs)
	}
	if evs := planned("bo"); len(evs) != 0 {
		t.Errorf("bo: %+v; a declined invitation and one beyond %v are not planned", evs, PlannedAhead)
	}
	// Cancelled on the server: the next read drops it.
	srv.set(vcal(coffee("\nSTATUS:CANCELLED"), declined, far))
	sync(now.Add(time.Minute))
	if evs := planned("ana-lima"); len(evs) != 0 {
		t.Errorf("after the cancel: %+v; want no meeting planned with ana", evs)
	}
}
