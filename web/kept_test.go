package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/calendar"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

// encoded is what the API wrote before it kept its answers: the Encoder,
// indented by two spaces.
func encoded(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	return b.Bytes()
}

// TestStatusListAsTheEncoder: statusList and one status written by
// appendIndented are the Encoder's bytes, for statuses with every field
// set or absent and strings with what JSON and HTML escape, invalid UTF-8
// and line separators.
func TestStatusListAsTheEncoder(t *testing.T) {
	words := []string{"", "Zoë", `<b>&"x"</b>`, "a\\b", "tab\there", "new\nline", "\u2028\u2029", "\x01\x1f", "\xff\xfe bad", "日本語", "a>b", "&amp;", "{[,:]}", " ", "\u00e9\u0301"}
	r := rand.New(rand.NewPCG(21, 21))
	word := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	when := func() time.Time {
		if r.IntN(3) == 0 {
			return time.Time{}
		}
		return time.Date(2020+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1e9), loc)
	}
	if got, want := statusList(nil), encoded([]scheduler.Status{}); !bytes.Equal(got, want) {
		t.Fatalf("no one: %q, want %q", got, want)
	}
	var st []scheduler.Status
	for range 300 {
		s := scheduler.Status{ID: word(), Name: word(), State: rules.State(word()), LastInteraction: when(), Next: when(), Reason: word(),
			Occasion: word(), OccasionDay: when(), Years: r.IntN(3) * r.IntN(90), LastRunAhead: when()}
		if r.IntN(2) == 0 {
			s.Kind = rules.Kind(word())
		}
		st = append(st, s)
		one := append(appendIndented(nil, s.AppendJSON(nil, ""), 0), '\n')
		if want := encoded(s); !bytes.Equal(one, want) {
			t.Fatalf("one status:\n%s\nwant\n%s", one, want)
		}
	}
	if got, want := statusList(st), encoded(st); !bytes.Equal(got, want) {
		t.Fatalf("the list differs from the Encoder's:\n%s\nwant\n%s", got, want)
	}
}

type answer304 struct {
	status int
	etag   string
	body   string
	header http.Header
}

func (f *fixture) conditional(t *testing.T, path, ifNoneMatch string, header ...string) answer304 {
	t.Helper()
	req, _ := http.NewRequest("GET", f.url+path, nil)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer304{resp.StatusCode, resp.Header.Get("ETag"), string(b), resp.Header}
}

// listAsBefore is the list as the API made it before it kept it.
func (f *fixture) listAsBefore(t *testing.T) string {
	t.Helper()
	st, err := scheduler.Snapshot(context.Background(), f.live.Load(), f.j, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded(st))
}

// feedAsBefore is the feed as the server made it before it kept it.
func (f *fixture) feedAsBefore(t *testing.T, days int) string {
	t.Helper()
	cfg := f.live.Load()
	now := f.now.In(cfg.Location)
	people, hist, err := scheduler.Load(context.Background(), cfg, f.j, now)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	calendar.Write(&b, scheduler.Plan(cfg, people, hist, now, now.AddDate(0, 0, days)), calendar.Options{Now: now, Link: calendar.PersonLinks(cfg, f.srv.Addr())})
	return b.String()
}

// reload stores a config read from text, as the daemon's reload does.
func (f *fixture) reload(t *testing.T, text string) {
	t.Helper()
	cfg, err := config.Parse(f.config, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f.live.Store(cfg)
}

// A change of each input of the API's list or of the feed: a write
// through the API, a write by another process (the command line), a config
// reloaded with a difference, the clock past midnight and past the next
// run. After each, a client holding the ETag from before gets the new
// body, as the code before keeping made it, and a new ETag; asked again
// with that, it gets 304. Each fails when the kept answer ignores that
// input.
func TestETagFollowsEachInput(t *testing.T) {
	for _, tc := range []struct {
		path   string
		before func(f *fixture) string
	}{
		{"/api/contacts", func(f *fixture) string { return f.listAsBefore(t) }},
		{"/calendar.ics", func(f *fixture) string { return f.feedAsBefore(t, 60) }},
		{"/calendar.ics?days=3", func(f *fixture) string { return f.feedAsBefore(t, 3) }},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f := start(t, goldenPeople)
			goldenState(t, f)
			raw, err := os.ReadFile(f.config)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			first := f.conditional(t, tc.path, "")
			if first.status != 200 || first.etag == "" || first.body != tc.before(f) {
				t.Fatalf("first: %d %q\n%s", first.status, first.etag, first.body)
			}
			etag := first.etag
			feed := strings.HasPrefix(tc.path, "/calendar.ics")
			// What changed of a body: a feed's stamps are not what it says.
			stamps := regexp.MustCompile(`\r\nDTSTAMP:[0-9TZ]+\r\n`)
			said := func(body string) string { return stamps.ReplaceAllString(body, "\r\nDTSTAMP:-\r\n") }
			// Each step changes one input; list and feed say whether the
			// step must change the list's body and the feeds' (so that each
			// input is tested on each), which the bodies made as before
			// are checked to agree with.
			steps := []struct {
				name       string
				change     func()
				list, feed bool
			}{
				{"nothing", func() {}, false, false},
				{"a minute later", func() { f.now = f.now.Add(time.Minute) }, false, false},
				{"the same config reloaded", func() { f.reload(t, text) }, false, false},
				{"an event through the API", func() {
					if r := f.do(t, "POST", "/api/contacts/alice-moreau/events", `{"kind":"talked"}`, true); r.status != 201 {
						t.Fatalf("log: %+v", r)
					}
				}, true, true},
				{"an event by another process", func() {
					other, err := journal.Open(context.Background(), f.j.Path())
					if err != nil {
						t.Fatal(err)
					}
					defer other.Close()
					if _, err := other.Add(context.Background(), journal.Event{Contact: "newcomer", Kind: journal.Talked, At: f.now.Add(-time.Hour), Logged: f.now, Source: "cli"}); err != nil {
						t.Fatal(err)
					}
				}, true, true},
				{"a config reloaded with a change", func() {
					f.reload(t, strings.Replace(text, `name = "Emil"`, `name = "Emil Berg"`+"\n"+`reached_out = [2026-11-29]`, 1))
				}, true, true},
				{"past midnight", func() { f.now = time.Date(2026, 12, 1, 0, 0, 1, 0, f.cfg.Location) }, true, false},
				{"past the next run", func() { f.now = time.Date(2026, 12, 1, 9, 0, 1, 0, f.cfg.Location) }, false, true},
				{"the clock put back", func() { f.now = time.Date(2026, 11, 30, 12, 0, 0, 0, f.cfg.Location) }, true, true},
			}
			prev := said(first.body)
			for _, s := range steps {
				s.change()
				want := tc.before(f)
				changed := said(want) != prev
				if must := (s.list && !feed) || (s.feed && feed); must != changed && must {
					t.Fatalf("%s: the case is wrong: the body as made before did not change", s.name)
				}
				prev = said(want)
				a := f.conditional(t, tc.path, etag)
				switch {
				case !changed && a.status != http.StatusNotModified:
					t.Errorf("%s: %d, want 304 Not Modified", s.name, a.status)
				case !changed && (a.etag != etag || a.body != ""):
					t.Errorf("%s: 304 with ETag %q (want %q) and body %q", s.name, a.etag, etag, a.body)
				case changed && a.status != 200:
					t.Errorf("%s: %d, want 200 with the new body", s.name, a.status)
				case changed && (a.etag == etag || a.body != want):
					t.Errorf("%s: ETag %q (was %q), body as made before: %v", s.name, a.etag, etag, a.body == want)
				}
				if a.status == 200 {
					etag = a.etag
				}
				// Without If-None-Match: the body as the old code made it, now.
				if full := f.conditional(t, tc.path, ""); full.status != 200 || full.body != want || full.etag != etag {
					t.Errorf("%s: asked afresh: %d %q (want %q), body as made before: %v", s.name, full.status, full.etag, etag, full.body == want)
				}
			}
		})
	}
}

// TestFeedStampsEachRequest: the feed kept is sent with the stamp of each
// request (DTSTAMP, when the file was made), as it was made anew before;
// its ETag, weak, stays, so a calendar that has it is told 304.
func TestFeedStampsEachRequest(t *testing.T) {
	f := start(t, goldenPeople)
	a := f.conditional(t, "/calendar.ics", "")
	f.now = f.now.Add(17 * time.Second)
	b := f.conditional(t, "/calendar.ics", "")
	if a.body == b.body || b.body != f.feedAsBefore(t, 60) || !strings.Contains(b.body, "\r\nDTSTAMP:20261130T110017Z\r\n") {
		t.Errorf("the second feed is not stamped with its own time:\n%s", b.body)
	}
	if a.etag != b.etag || !strings.HasPrefix(a.etag, `W/"`) {
		t.Errorf("ETags %q and %q: want the same weak one", a.etag, b.etag)
	}
	if c := f.conditional(t, "/calendar.ics", a.etag); c.status != http.StatusNotModified {
		t.Errorf("asked with the ETag: %d", c.status)
	}
}

// TestNotModifiedAfterTheCredentials: a request from elsewhere that names
// the current ETag but carries no credential is refused, not told 304;
// with one it is told 304. The answers may be kept by the client only,
// must be asked for again, and differ by credential.
func TestNotModifiedAfterTheCredentials(t *testing.T) {
	f := start(t, goldenPeople)
	for _, tc := range []struct {
		path string
		cred []string
	}{
		{"/api/contacts", []string{"Authorization", "Bearer " + token}},
		{"/api/contacts/kim", []string{"Authorization", "Bearer " + token}},
		{"/calendar.ics", []string{"Authorization", "Bearer " + token}},
		{strings.TrimPrefix(f.calendarLink(), f.cfg.PublicURL), nil},
	} {
		local := f.conditional(t, tc.path, "")
		if local.status != 200 || local.header.Get("Cache-Control") != "private, no-cache" || local.header.Get("Vary") != "Authorization, Cookie" {
			t.Errorf("%s: %d, Cache-Control %q, Vary %q", tc.path, local.status, local.header.Get("Cache-Control"), local.header.Get("Vary"))
		}
		path := strings.Split(tc.path, "?")[0]
		if a := f.conditional(t, path, local.etag, "X-Forwarded-For", "203.0.113.9"); a.status != http.StatusUnauthorized {
			t.Errorf("%s from elsewhere without a credential: %d, want 401", tc.path, a.status)
		}
		if a := f.conditional(t, tc.path, local.etag, append([]string{"X-Forwarded-For", "203.0.113.9"}, tc.cred...)...); a.status != http.StatusNotModified || a.etag != local.etag ||
			a.header.Get("Cache-Control") != "private, no-cache" || a.header.Get("Vary") != "Authorization, Cookie" {
			t.Errorf("%s from elsewhere with a credential: %d %q %v, want 304 with the headers", tc.path, a.status, a.etag, a.header)
		}
	}
}

// TestOnePersonETag: one person's status has an ETag too, which changes
// with it.
func TestOnePersonETag(t *testing.T) {
	f := start(t, goldenPeople)
	a := f.conditional(t, "/api/contacts/dana", "")
	if b := f.conditional(t, "/api/contacts/dana", a.etag); b.status != http.StatusNotModified {
		t.Fatalf("asked again: %d", b.status)
	}
	f.do(t, "POST", "/api/contacts/dana/events", `{"kind":"talked"}`, true)
	if b := f.conditional(t, "/api/contacts/dana", a.etag); b.status != 200 || b.etag == a.etag || b.body != f.do(t, "GET", "/api/contacts/dana", "", false).body {
		t.Fatalf("after a change: %d %q", b.status, b.etag)
	}
}

func TestNoneMatch(t *testing.T) {
	for _, tc := range []struct {
		header string
		etag   string
		want   bool
	}{
		{`"abc"`, `"abc"`, true},
		{`W/"abc"`, `"abc"`, true},
		{`"abc"`, `W/"abc"`, true},
		{`"x", "abc"`, `"abc"`, true},
		{`"x",W/"abc" , "y"`, `"abc"`, true},
		{`*`, `"abc"`, true},
		{`"abcd"`, `"abc"`, false},
		{`"ab"`, `"abc"`, false},
		{`abc`, `"abc"`, false},
		{`"a,b", "c"`, `"c"`, true},
		{`"a,b"`, `"b"`, false},
		{``, `"abc"`, false},
		{`"abc`, `"abc"`, false},
	} {
		if got := noneMatch([]string{tc.header}, tc.etag); got != tc.want {
			t.Errorf("If-None-Match: %s against %s: %v, want %v", tc.header, tc.etag, got, tc.want)
		}
	}
}

// TestFeedDaysKeptApart: feeds of other lengths asked in turn are each
// the feed of their length.
func TestFeedDaysKeptApart(t *testing.T) {
	f := start(t, goldenPeople)
	for _, days := range []int{60, 3, 60, 1, 3} {
		path := "/calendar.ics?days=" + strconv.Itoa(days)
		if a := f.conditional(t, path, ""); a.status != 200 || a.body != f.feedAsBefore(t, days) {
			t.Errorf("%s: %d, not the feed of %d days", path, a.status, days)
		}
	}
}
