package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/bin"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
)

const token = "test-token-0123456789"

const people = `timezone = "Europe/Berlin"
listen = "127.0.0.1:0"
public_url = "https://rekindle.example.org"
api_token = "` + token + `"

[[contact]]
name = "Alice Moreau"
last_interaction = 2026-10-20
interests = ["chess"]
notes = "Started a new job."
email = ["alice@example.org"]
phone = ["+33 6 12-34-56-78"]

[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-25

[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-22, 2026-11-26]

[[contact]]
name = "Emil"
last_interaction = 2026-11-25
birthday = 1990-12-10
[contact.dates]
"moved to Lisbon" = "--03-01"
`

// fixture is a server on a real listener over a real journal.
type fixture struct {
	srv    *Server
	url    string
	j      *journal.Journal
	cfg    *config.Config
	config string
	state  string
	now    time.Time
	live   atomic.Pointer[config.Config] // what the server's Config returns: a reload stores another
}

// start serves the people above, and the contacts of extra after them.
func start(t *testing.T, extra ...string) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{config: filepath.Join(dir, "config.toml"), state: filepath.Join(dir, "state")}
	os.WriteFile(f.config, []byte(people+strings.Join(extra, "")), 0o644)
	cfg, err := config.Load(f.config)
	if err != nil {
		t.Fatal(err)
	}
	f.cfg = cfg
	f.live.Store(cfg)
	f.j, err = journal.Open(context.Background(), filepath.Join(f.state, "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 11, 30, 12, 0, 0, 0, cfg.Location)
	f.srv, err = New(cfg.Listen, Options{
		Config: f.live.Load, Journal: f.j, Metrics: NewMetrics(f.j.PendingCount),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.Serve()
	f.url = "http://" + f.srv.Addr()
	t.Cleanup(func() {
		f.srv.Shutdown(context.Background())
		f.j.Close()
	})
	return f
}

// signedIn is the cookie of a browser signed in to everything.
func (f *fixture) signedIn() *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: links.Everything.Sign([]byte(token), f.now.Add(time.Hour))}
}

type reply struct {
	status int
	body   string
}

func (f *fixture) do(t *testing.T, method, path, body string, auth bool) reply {
	t.Helper()
	req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if auth {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

func (f *fixture) stateOf(t *testing.T, id string) map[string]any {
	t.Helper()
	r := f.do(t, "GET", "/api/contacts/"+id, "", false)
	var doc map[string]any
	if r.status != 200 || json.Unmarshal([]byte(r.body), &doc) != nil {
		t.Fatalf("GET /api/contacts/%s: %d %s", id, r.status, r.body)
	}
	return doc
}

// The person's page shows their addresses and numbers as links a phone
// opens in its mail and phone apps.
func TestPersonPageShowsEmailAndPhone(t *testing.T) {
	f := start(t)
	r := f.do(t, "GET", "/people/alice-moreau", "", false)
	page := html.UnescapeString(r.body)
	for _, want := range []string{`<a href="mailto:alice@example.org">alice@example.org</a>`, `<a href="tel:+33612345678">+33 6 12-34-56-78</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, r.body)
		}
	}
}

// Occasions in the coming four weeks are diamonds on the chart, on the
// person's row; the person's page names the next one and lists the dates.
func TestDashboardShowsOccasions(t *testing.T) {
	f := start(t)
	r := f.do(t, "GET", "/", "", false)
	if !regexp.MustCompile(`<rect x="\d+" y="\d+"[^>]*class="occasion"><title>Emil: birthday, Thu 10 Dec \(36\)</title>`).MatchString(r.body) {
		t.Errorf("no diamond for Emil's birthday on the chart:\n%s", r.body)
	}
	if strings.Count(r.body, `class="occasion"`) != 1 {
		t.Errorf("%d diamonds; want Emil's alone (March is beyond four weeks)", strings.Count(r.body, `class="occasion"`))
	}
	page := html.UnescapeString(f.do(t, "GET", "/people/emil", "", false).body)
	for _, want := range []string{"<dt>Next occasion</dt><dd>birthday, Thu 10 Dec 2026 (36)</dd>", "birthday: 10 December 1990, moved to Lisbon: 1 March"} {
		if !strings.Contains(page, want) {
			t.Errorf("the person's page lacks %q:\n%s", want, page)
		}
	}
	if st := f.stateOf(t, "emil"); fmt.Sprint(st["next_occasion"]) != "map[date:2026-12-10 name:birthday years:36]" {
		t.Errorf("the API's next_occasion: %v", st["next_occasion"])
	}
}

func TestReadEndpoints(t *testing.T) {
	f := start(t)
	if r := f.do(t, "GET", "/healthz", "", false); r.status != 200 || !strings.Contains(r.body, `"ok"`) {
		t.Errorf("healthz: %+v", r)
	}
	r := f.do(t, "GET", "/api/contacts", "", false)
	var list []map[string]any
	if r.status != 200 || json.Unmarshal([]byte(r.body), &list) != nil || len(list) != 4 {
		t.Fatalf("contacts: %+v", r)
	}
	states := map[string]any{}
	for _, c := range list {
		states[c["id"].(string)] = c["state"]
	}
	want := map[string]any{"alice-moreau": "due", "bob": "cooling_down", "dana": "let_be", "emil": "ok"}
	for id, s := range want {
		if states[id] != s {
			t.Errorf("%s: %v; want %v", id, states[id], s)
		}
	}
	m := f.do(t, "GET", "/metrics", "", false)
	for _, name := range []string{"rekindle_runs_total", "rekindle_outbox_pending 0", "rekindle_config_last_reload_successful 1", "go_goroutines",
		`rekindle_build_info{goversion="go`, `rekindle_config_reloads_total{result="failure"} 0`} {
		if !strings.Contains(m.body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if r := f.do(t, "GET", "/api/contacts/zed", "", false); r.status != 404 || !strings.Contains(r.body, `no contact with id \"zed\"`) {
		t.Errorf("unknown contact: %+v", r)
	}
}

func TestWritesNeedTheToken(t *testing.T) {
	f := start(t)
	for _, path := range []string{"/api/contacts/bob/events", "/api/contacts/bob/snooze", "/api/contacts/bob/let-be", "/api/contacts/bob/resume"} {
		r := f.do(t, "POST", path, `{"kind":"talked","duration":"3d"}`, false)
		if r.status != 401 || !strings.Contains(r.body, "api_token") {
			t.Errorf("%s without a token: %+v", path, r)
		}
	}
	req, _ := http.NewRequest("POST", f.url+"/api/contacts/bob/events", strings.NewReader(`{"kind":"talked"}`))
	req.Header.Set("Authorization", "Bearer "+token+"x")
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Errorf("a wrong token: %d", resp.StatusCode)
	}
	resp.Body.Close()
	if all, _ := f.j.Events(context.Background()); len(all) != 0 {
		t.Errorf("refused writes were recorded: %v", all)
	}
}

// TestRemoteReadsNeedTheToken: from another machine (or through a proxy),
// even reading needs the token.
func TestRemoteReadsNeedTheToken(t *testing.T) {
	f := start(t)
	h := f.srv.Handler()
	for _, tc := range []struct {
		name   string
		remote string
		header string
		auth   bool
		want   int
	}{
		{"loopback", "127.0.0.1:5000", "", false, 200},
		{"loopback IPv6", "[::1]:5000", "", false, 200},
		{"another machine", "192.0.2.7:5000", "", false, 401},
		{"another machine with the token", "192.0.2.7:5000", "", true, 200},
		{"a proxy on this machine", "127.0.0.1:5000", "203.0.113.9", false, 401},
		{"a proxy with the token", "127.0.0.1:5000", "203.0.113.9", true, 200},
	} {
		for _, path := range []string{"/api/contacts", "/metrics", "/", "/calendar.ics"} {
			req := httptest.NewRequest("GET", path, nil)
			req.Host = "rekindle.example.org" // the public_url host
			req.RemoteAddr = tc.remote
			if tc.header != "" {
				req.Header.Set("X-Forwarded-For", tc.header)
			}
			if tc.auth {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.want {
				t.Errorf("%s GET %s: %d; want %d", tc.name, path, w.Code, tc.want)
			}
		}
	}
	// health checks stay open.
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Host = "rekindle.example.org"
	req.RemoteAddr = "192.0.2.7:5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Errorf("healthz from afar: %d", w.Code)
	}
}

// The calendar feed: from afar, a calendar link reads it, and reads
// nothing else; a link of another scope (a reminder's dashboard link), an
// expired or a forged one does not read it.
func TestCalendarFeed(t *testing.T) {
	f := start(t)
	h := f.srv.Handler()
	key := []byte(token)
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "rekindle.example.org"
		req.RemoteAddr = "192.0.2.7:5000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	link := links.Calendar("", key, f.now)
	w := get(link)
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("a calendar link: %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{"BEGIN:VCALENDAR", "SUMMARY:Emil's birthday (36)", "DTSTART;VALUE=DATE:20261210",
		"URL:https://rekindle.example.org/people/emil\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("the feed lacks %q:\n%s", want, body)
		}
	}
	tok := strings.TrimPrefix(link, "/calendar.ics?t=")
	for _, tc := range []struct{ name, path string }{
		{"the link on the API", "/api/contacts?t=" + tok},
		{"the link on the dashboard", "/?t=" + tok},
		{"a person's link on the feed", "/calendar.ics?t=" + url.QueryEscape(links.PersonLink("bob").Sign(key, f.now.Add(time.Hour)))},
		{"an expired calendar link", "/calendar.ics?t=" + url.QueryEscape(links.CalendarFeed.Sign(key, f.now.Add(-time.Minute)))},
		{"a forged calendar link", links.Calendar("", []byte("another key entirely"), f.now)},
	} {
		if w := get(tc.path); w.Code != 401 || strings.Contains(w.Body.String(), "Emil") {
			t.Errorf("%s: %d; want 401", tc.name, w.Code)
		}
	}
	if w := get(link + "&days=0"); w.Code != 400 || !strings.Contains(w.Body.String(), "from 1 to 366") {
		t.Errorf("days=0: %d %s", w.Code, w.Body)
	}
	if w := get(link + "&days=5"); strings.Contains(w.Body.String(), "Emil's birthday") {
		t.Error("days=5 reaches the 10th")
	}
}

func TestWrites(t *testing.T) {
	f := start(t)
	r := f.do(t, "POST", "/api/contacts/alice-moreau/events", `{"kind":"reached-out","note":"sent a photo"}`, true)
	if r.status != 201 || !strings.Contains(r.body, `"state": "waiting"`) {
		t.Fatalf("reached-out: %+v", r)
	}
	r = f.do(t, "POST", "/api/contacts/bob/events", `{"kind":"talked","at":"2026-11-29T18:00:00+01:00"}`, true)
	if r.status != 201 || f.stateOf(t, "bob")["state"] != "ok" {
		t.Errorf("talked: %+v", r)
	}
	if r := f.do(t, "POST", "/api/contacts/emil/snooze", `{"duration":"1w"}`, true); r.status != 201 || f.stateOf(t, "emil")["state"] != "snoozed" {
		t.Errorf("snooze: %+v", r)
	}
	if r := f.do(t, "POST", "/api/contacts/emil/resume", "", true); r.status != 201 || f.stateOf(t, "emil")["state"] != "ok" {
		t.Errorf("resume: %+v", r)
	}
	if r := f.do(t, "POST", "/api/contacts/emil/let-be", "{}", true); r.status != 201 || f.stateOf(t, "emil")["state"] != "let_be" {
		t.Errorf("let-be: %+v", r)
	}
	// A second let-be, and a resume with nothing to end, change nothing
	// and log nothing.
	if r := f.do(t, "POST", "/api/contacts/emil/let-be", "", true); r.status != 200 || !strings.Contains(r.body, `"unchanged": "Emil is already let be`) {
		t.Errorf("let-be twice: %+v", r)
	}
	if r := f.do(t, "POST", "/api/contacts/bob/resume", "", true); r.status != 200 || !strings.Contains(r.body, "nothing to resume") {
		t.Errorf("resume of someone neither snoozed nor let be: %+v", r)
	}
	evs, _ := f.j.History(context.Background(), "", 0)
	if len(evs) != 5 {
		t.Fatalf("%d events; want 5", len(evs))
	}
	for _, e := range evs {
		if e.Source != "api" {
			t.Errorf("event %+v: source %q; want api", e, e.Source)
		}
	}
	if evs[len(evs)-1].Note != "sent a photo" && evs[0].Note != "sent a photo" {
		found := false
		for _, e := range evs {
			found = found || e.Note == "sent a photo"
		}
		if !found {
			t.Error("the note was lost")
		}
	}
}

// TestBadInput: each mistake gets a 4xx with a JSON error that says what,
// and nothing is written.
func TestBadInput(t *testing.T) {
	f := start(t)
	big := `{"kind":"talked","note":"` + strings.Repeat("x", 70<<10) + `"}`
	for _, tc := range []struct {
		name, path, body string
		status           int
		msg              string
	}{
		{"bad JSON", "/api/contacts/bob/events", `{"kind":`, 400, "invalid JSON"},
		{"not an object", "/api/contacts/bob/events", `[1,2]`, 400, "invalid JSON"},
		{"empty body", "/api/contacts/bob/events", ``, 400, "the body is empty"},
		{"unknown field", "/api/contacts/bob/events", `{"kind":"talked","mood":"good"}`, 400, `unknown field \"mood\"`},
		{"two values", "/api/contacts/bob/events", `{"kind":"talked"}{"kind":"talked"}`, 400, "more than one value"},
		{"unknown kind", "/api/contacts/bob/events", `{"kind":"hugged"}`, 400, `unknown kind \"hugged\"`},
		{"snooze as an event", "/api/contacts/bob/events", `{"kind":"snooze"}`, 400, "unknown kind"},
		{"bad time", "/api/contacts/bob/events", `{"kind":"talked","at":"yesterday"}`, 400, "is not an RFC 3339 time"},
		{"far future", "/api/contacts/bob/events", `{"kind":"talked","at":"2027-06-01T10:00:00Z"}`, 422, "is in the future"},
		{"year 1", "/api/contacts/bob/events", `{"kind":"talked","at":"0001-01-01T00:00:00Z"}`, 400, "out of range"},
		{"before 1900", "/api/contacts/bob/events", `{"kind":"talked","at":"1899-12-31T00:00:00Z"}`, 400, "out of range"},
		{"long note", "/api/contacts/bob/events", `{"kind":"talked","note":"` + strings.Repeat("x", journal.MaxNote+1) + `"}`, 400, "note: 4097 bytes; at most 4096"},
		{"snooze of ten years", "/api/contacts/bob/snooze", `{"duration":"520w"}`, 400, "at most 5 years"},
		{"unknown person", "/api/contacts/zed/events", `{"kind":"talked"}`, 404, `no contact with id \"zed\"`},
		{"too large", "/api/contacts/bob/events", big, 413, "larger than 65536 bytes"},
		{"bad duration", "/api/contacts/bob/snooze", `{"duration":"3x"}`, 400, "duration"},
		{"zero duration", "/api/contacts/bob/snooze", `{"duration":"0"}`, 400, "duration"},
	} {
		r := f.do(t, "POST", tc.path, tc.body, true)
		var e apiError
		if r.status != tc.status || json.Unmarshal([]byte(r.body), &e) != nil || !strings.Contains(r.body, tc.msg) || e.Error == "" {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, r.status, r.body, tc.status, tc.msg)
		}
	}
	if r := f.do(t, "GET", "/api/contacts/bob/events", "", true); r.status != 405 {
		t.Errorf("GET on a POST endpoint: %d", r.status)
	}
	if all, _ := f.j.Events(context.Background()); len(all) != 0 {
		t.Errorf("bad requests wrote %v", all)
	}
}

// cli is the rekindle binary.
func cli(t *testing.T) string {
	path, err := bin.Rekindle()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConcurrentWritesAPIAndCLI: the API and the rekindle command write the
// same journal at once; every write lands.
func TestConcurrentWritesAPIAndCLI(t *testing.T) {
	t.Parallel()
	f := start(t)
	bin := cli(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	wg.Go(func() {
		for i := 0; i < n; i++ {
			req, _ := http.NewRequest("POST", f.url+"/api/contacts/bob/events", bytes.NewReader([]byte(`{"kind":"talked"}`)))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				continue
			}
			if resp.StatusCode != 201 {
				errs <- fmt.Errorf("API: %d", resp.StatusCode)
			}
			resp.Body.Close()
		}
	})
	wg.Go(func() {
		for i := 0; i < n; i++ {
			cmd := exec.Command(bin, "--config", f.config, "log", "alice", "talked")
			cmd.Env = append(os.Environ(), "STATE_DIRECTORY="+f.state)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("CLI: %v: %s", err, out)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, _ := f.j.Events(context.Background())
	if len(all["bob"]) != n || len(all["alice-moreau"]) != n {
		t.Errorf("%d API and %d CLI events; want %d each", len(all["bob"]), len(all["alice-moreau"]), n)
	}
}

// TestFormsRefuseCrossSiteRequests: a page elsewhere cannot make the
// browser post the dashboard's forms, even with the session cookie.
func TestFormsRefuseCrossSiteRequests(t *testing.T) {
	f := start(t)
	cookie := f.signedIn()
	post := func(site, origin string) int {
		req, _ := http.NewRequest("POST", f.url+"/people/bob/do", strings.NewReader("action=talked"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post("cross-site", "https://evil.example"); c != http.StatusForbidden {
		t.Errorf("cross-site post: %d; want 403", c)
	}
	if c := post("", "https://evil.example"); c != http.StatusForbidden {
		t.Errorf("post from another origin: %d; want 403", c)
	}
	if all, _ := f.j.Events(context.Background()); len(all) != 0 {
		t.Fatalf("a cross-site post was recorded: %v", all)
	}
	if c := post("same-origin", ""); c != http.StatusSeeOther {
		t.Errorf("same-origin post: %d; want 303", c)
	}
	// Without the session: refused.
	req, _ := http.NewRequest("POST", f.url+"/people/bob/do", strings.NewReader("action=talked"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("post without a session: %d; want 401", resp.StatusCode)
	}
	if all, _ := f.j.Events(context.Background()); len(all["bob"]) != 1 {
		t.Errorf("events %v; want the one same-origin post", all)
	}
}

// The dashboard's let-be and resume buttons log nothing that would change
// nothing, and the page says why, as the command line and the API do.
func TestDashboardDecisionsAreNotRepeated(t *testing.T) {
	f := start(t)
	cookie := f.signedIn()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(id, action string) string {
		req, _ := http.NewRequest("POST", f.url+"/people/"+id+"/do", strings.NewReader("action="+action))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(cookie)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	if loc := post("emil", "let-be"); loc != "/people/emil?done=let-be" {
		t.Errorf("the first let-be: %s", loc)
	}
	if loc := post("emil", "let-be"); loc != "/people/emil?unchanged=let-be" {
		t.Errorf("the second let-be: %s", loc)
	}
	if loc := post("alice-moreau", "resume"); loc != "/people/alice-moreau?unchanged=resume" {
		t.Errorf("a resume with nothing to end: %s", loc)
	}
	all, _ := f.j.Events(context.Background())
	if len(all["emil"]) != 1 || len(all["alice-moreau"]) != 0 {
		t.Errorf("events %v; want emil's one let-be", all)
	}
	page := html.UnescapeString(f.do(t, "GET", "/people/emil?unchanged=let-be", "", false).body)
	if !strings.Contains(page, "Emil is already let be (since 2026-11-30); nothing logged.") {
		t.Errorf("the page does not say why:\n%s", page)
	}
	// The reason is the server's own: the address cannot put words on
	// the page.
	if page := f.do(t, "GET", "/people/emil?unchanged=you+have+been+hacked", "", false).body; strings.Contains(page, "hacked") {
		t.Error("the page shows text from its address")
	}
}

// TestSignedLinks: a link from a reminder opens the person's page until it
// expires, and a tampered one never does.
func TestSignedLinks(t *testing.T) {
	f := start(t)
	key := []byte(token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(link string) (int, []*http.Cookie) {
		u := strings.Replace(link, "https://rekindle.example.org", f.url, 1)
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // from the phone, through a proxy
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Cookies()
	}
	good := links.Person(f.cfg.PublicURL, key, "bob", f.now)
	if code, cookies := get(good); code != http.StatusSeeOther || len(cookies) != 1 || cookies[0].Name != personCookie || !cookies[0].HttpOnly {
		t.Errorf("a good link: %d %v; want a redirect that sets the person's session", code, cookies)
	}
	expired := f.cfg.PublicURL + "/people/bob?t=" + url.QueryEscape(links.PersonLink("bob").Sign(key, f.now.Add(-time.Minute)))
	if code, _ := get(expired); code != http.StatusUnauthorized {
		t.Errorf("an expired link: %d; want 401", code)
	}
	forged := links.Person(f.cfg.PublicURL, []byte("another key entirely"), "bob", f.now)
	if code, _ := get(forged); code != http.StatusUnauthorized {
		t.Errorf("a forged link: %d; want 401", code)
	}
}

// TestDNSRebindingRefused plays the attack: a page on evil.example has
// pointed its name at 127.0.0.1, so the browser sends rekindle requests
// from loopback with Host (and, for a POST, Origin) naming evil.example.
// They are refused with 421; the names and notes never leave.
func TestDNSRebindingRefused(t *testing.T) {
	f := start(t)
	_, port, _ := net.SplitHostPort(f.srv.Addr())
	evil := "evil.example:" + port
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/contacts", ""},
		{"GET", "/api/contacts/alice-moreau", ""},
		{"GET", "/", ""},
		{"GET", "/people/alice-moreau", ""},
		{"GET", "/metrics", ""},
		{"POST", "/api/contacts/bob/events", `{"kind":"talked"}`},
	} {
		req, _ := http.NewRequest(tc.method, f.url+tc.path, strings.NewReader(tc.body))
		req.Host = evil
		if tc.method == "POST" {
			req.Header.Set("Origin", "http://"+evil)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token) // even with the token
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest || strings.Contains(string(b), "Alice") || strings.Contains(string(b), "new job") {
			t.Errorf("%s %s with Host %s: %d %s; want 421 and nothing of the contacts", tc.method, tc.path, evil, resp.StatusCode, b)
		}
	}
	if all, _ := f.j.Events(context.Background()); len(all) != 0 {
		t.Errorf("the rebinding page wrote %v", all)
	}
	// rekindle's own names still work: the listen address, localhost, a
	// loopback address and the public_url host.
	for _, host := range []string{f.srv.Addr(), "localhost:" + port, "[::1]:" + port, "127.0.0.2:" + port, "rekindle.example.org"} {
		req, _ := http.NewRequest("GET", f.url+"/api/contacts", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Host %s: %d; want 200", host, resp.StatusCode)
		}
	}
}
