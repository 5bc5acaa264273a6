package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
)

// The people a phone tells of: Mum by her British mobile, Bo by a German
// one (the fixture's zone is Berlin, so "0151 ..." is Bo's too).
const phonePeople = `
[[contact]]
name = "Mum"
last_interaction = 2026-10-01
phone = ["+44 7700 900123"]

[[contact]]
name = "Bo"
last_interaction = 2026-11-20
phone = ["+49 151 23456789"]
`

// callsCred is what `rekindle calls-link` prints at the fixture's now.
func (f *fixture) callsCred() string {
	_, cred := links.CallsHook(f.cfg.PublicURL, []byte(token), f.now)
	return cred
}

// tell posts body to /api/calls from afar with the credential cred.
func (f *fixture) tell(t *testing.T, cred, body string) answer {
	t.Helper()
	return f.visit(t, visit{method: "POST", link: "/api/calls", body: body, header: map[string]string{"Authorization": "Bearer " + cred}})
}

func decodeAnswer(t *testing.T, a answer) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
	return doc
}

// TestCallsTakeTheirCredentialAlone: /api/calls opens to the credential of
// `rekindle calls-link` and to nothing else, not even the api_token (which
// then never has to be typed into a phone); and that credential opens
// nothing but /api/calls.
func TestCallsTakeTheirCredentialAlone(t *testing.T) {
	f := start(t, phonePeople)
	call := `{"number": "+44 7700 900123", "kind": "call", "direction": "incoming", "duration": 120}`
	calendar := strings.SplitN(f.calendarLink(), "?t=", 2)[1]
	person := strings.SplitN(f.personLink("mum"), "?t=", 2)[1]
	_, button := f.button("mum", "talked", "N1")
	for name, cred := range map[string]string{
		"the api_token":                 token,
		"a calendar link":               calendar,
		"a person's link":               person,
		"a phone button":                button,
		"a session over everything":     f.sessionUntil(f.now.Add(time.Hour)),
		"an expired calls credential":   links.Calls.Sign([]byte(token), f.now.Add(-time.Second)),
		"one signed until 9000":         links.Calls.Sign([]byte(token), time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"one signed with another token": links.Calls.Sign([]byte(token+"x"), f.now.Add(time.Hour)),
		"none":                          "",
	} {
		a := f.tell(t, cred, call)
		if a.status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s; want 401", name, a.status, a.body)
		}
		if name == "the api_token" && !strings.Contains(a.body, "not the api_token") {
			t.Errorf("the api_token refused with %s; want a word on why", a.body)
		}
	}
	// A browser signed in to everything sends its cookie, not a bearer.
	if a := f.visit(t, visit{method: "POST", link: "/api/calls", body: call, cookies: []*http.Cookie{f.signedIn()}}); a.status != http.StatusUnauthorized {
		t.Errorf("a signed-in browser: %d; want 401", a.status)
	}
	if n := len(f.events(t)); n != 0 {
		t.Fatalf("refused requests wrote %v", f.events(t))
	}

	cred := f.callsCred()
	bearer := map[string]string{"Authorization": "Bearer " + cred}
	for _, v := range []visit{
		{link: "/api/contacts"},
		{link: "/api/contacts/mum"},
		{link: "/"},
		{link: "/people/mum"},
		{link: "/calendar.ics?t=" + cred},
		{link: "/metrics"},
		{link: "/login?t=" + cred},
		{method: "POST", link: "/api/contacts/mum/events", body: `{"kind":"talked"}`},
		{method: "POST", link: "/act/mum/talked"},
	} {
		v.header = bearer
		if a := f.visit(t, v); a.status != http.StatusUnauthorized || len(a.cookies) != 0 || strings.Contains(a.body, "Mum") {
			t.Errorf("%s %s with the calls credential: %d %v; want 401 and nothing of anyone", v.method, v.link, a.status, a.cookies)
		}
	}
	if a := f.tell(t, cred, call); a.status != http.StatusCreated {
		t.Errorf("the calls credential on /api/calls: %d %s; want 201", a.status, a.body)
	}
}

// TestCallsRequestsAreChecked: the server's rules hold here too: a foreign
// Host (DNS rebinding), a browser's cross-site post, another method, an
// oversized body and a body in another format are refused, and write
// nothing.
func TestCallsRequestsAreChecked(t *testing.T) {
	f := start(t, phonePeople)
	auth := map[string]string{"Authorization": "Bearer " + f.callsCred()}
	call := `{"number": "+44 7700 900123", "kind": "call", "direction": "incoming", "duration": 120}`
	for _, tc := range []struct {
		name string
		v    visit
		want int
	}{
		{"another host name", visit{method: "POST", body: call, host: "evil.example:8785"}, http.StatusMisdirectedRequest},
		{"a cross-site post", visit{method: "POST", body: call, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, http.StatusForbidden},
		{"GET", visit{}, http.StatusMethodNotAllowed},
		{"PUT", visit{method: "PUT", body: call}, http.StatusMethodNotAllowed},
		{"a body over 4 KiB", visit{method: "POST", body: `{"number": "+44 7700 900123", "kind": "call", "direction": "incoming", "duration": 120, "at": "` + strings.Repeat(" ", 5000) + `"}`}, http.StatusRequestEntityTooLarge},
		{"a form", visit{method: "POST", body: "number=%2B447700900123&kind=call&direction=incoming&duration=120"}, http.StatusUnsupportedMediaType},
		{"XML", visit{method: "POST", body: call, header: map[string]string{"Content-Type": "application/xml"}}, http.StatusUnsupportedMediaType},
		{"two values", visit{method: "POST", body: `{"number": "+44 7700 900123"} {}`}, http.StatusBadRequest},
	} {
		tc.v.link = "/api/calls"
		if tc.v.header == nil {
			tc.v.header = map[string]string{}
		}
		for k, v := range auth {
			tc.v.header[k] = v
		}
		if a := f.visit(t, tc.v); a.status != tc.want {
			t.Errorf("%s: %d %s; want %d", tc.name, a.status, a.body, tc.want)
		}
	}
	if n := len(f.events(t)); n != 0 {
		t.Errorf("refused requests wrote %v", f.events(t))
	}
}

// TestCallsAreLearned: what the phone tells of counts as the backups'
// records do: an answered call is talking (Mum is no longer due), a text
// you sent an outreach (Bo waits for a reply), and the same call told
// twice is one event; a missed call, a number of nobody and a short code
// teach nothing, and say why.
func TestCallsAreLearned(t *testing.T) {
	f := start(t, phonePeople)
	var woke atomic.Int32
	f.srv.opts.Learned = func() { woke.Add(1) }
	cred := f.callsCred()
	if st := f.stateOf(t, "mum")["state"]; st != "due" {
		t.Fatalf("Mum starts %v; want due", st)
	}
	at := f.now.Add(-time.Hour)
	call := `{"number": "+44 7700 900123", "kind": "call", "direction": "incoming", "duration": 754, "at": ` + strconv.FormatInt(at.UnixMilli(), 10) + `}`
	a := f.tell(t, cred, call)
	doc := decodeAnswer(t, a)
	if a.status != http.StatusCreated || doc["contact"] != "mum" || doc["kind"] != "talked" || doc["event_id"] == nil {
		t.Fatalf("a call with Mum: %d %s; want 201, talked with mum", a.status, a.body)
	}
	if strings.Contains(a.body, "Mum") || strings.Contains(a.body, "state") {
		t.Errorf("the answer tells more than what was learned: %s", a.body)
	}
	if st := f.stateOf(t, "mum"); st["state"] != "ok" {
		t.Errorf("after the call Mum is %v; want ok", st["state"])
	}
	again := f.tell(t, cred, call)
	if doc := decodeAnswer(t, again); again.status != http.StatusOK || !strings.Contains(doc["unchanged"].(string), "learned before") {
		t.Errorf("the same call again: %d %s; want 200, already known", again.status, again.body)
	}
	evs := f.events(t)["mum"]
	if len(evs) != 1 || evs[0].Kind != journal.Talked || evs[0].Source != CallsSource || !journal.IsLearned(evs[0].Source) || !evs[0].At.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("Mum's events %+v; want one talked from %s at %v", evs, CallsSource, at)
	}
	if woke.Load() != 1 {
		t.Errorf("the deliverer was woken %d times; want once, for the one event learned", woke.Load())
	}

	// A text you sent to Bo, with his number as written at home, the
	// time in RFC 3339, as plain text (what some apps label JSON).
	a = f.visit(t, visit{method: "POST", link: "/api/calls", header: map[string]string{"Authorization": "Bearer " + cred, "Content-Type": "text/plain; charset=utf-8"},
		body: `{"number": "0151 23456789", "kind": "text", "direction": "outgoing", "at": "` + f.now.Add(-time.Minute).Format(time.RFC3339) + `"}`})
	if doc := decodeAnswer(t, a); a.status != http.StatusCreated || doc["contact"] != "bo" || doc["kind"] != "reached-out" {
		t.Errorf("a text to Bo: %d %s; want 201, reached-out to bo", a.status, a.body)
	}
	if st := f.stateOf(t, "bo")["state"]; st != "waiting" {
		t.Errorf("after a text to him Bo is %v; want waiting", st)
	}

	for _, tc := range []struct{ name, body, why string }{
		{"a missed call", `{"number": "+44 7700 900123", "kind": "call", "direction": "missed"}`, "a call not answered"},
		{"an unanswered call", `{"number": "+44 7700 900123", "kind": "call", "direction": "outgoing", "duration": "0"}`, "lasted no time"},
		{"a number of nobody", `{"number": "+44 7700 900999", "kind": "text", "direction": "incoming"}`, "nobody in the config"},
		{"a short code", `{"number": "82228", "kind": "text", "direction": "incoming"}`, "short code"},
		{"a call half a year ago", `{"number": "+44 7700 900123", "kind": "call", "direction": "incoming", "duration": 60, "at": "2026-05-01T10:00:00Z"}`, "older than 180 days"},
	} {
		a := f.tell(t, cred, tc.body)
		doc := decodeAnswer(t, a)
		if why, _ := doc["ignored"].(string); a.status != http.StatusOK || !strings.Contains(why, tc.why) {
			t.Errorf("%s: %d %s; want 200, ignored: %s", tc.name, a.status, a.body, tc.why)
		}
	}
	if all := f.events(t); len(all) != 2 || len(all["mum"]) != 1 || len(all["bo"]) != 1 {
		t.Errorf("events %v; want Mum's call and Bo's text alone", all)
	}
	if woke.Load() != 2 {
		t.Errorf("the deliverer was woken %d times; want twice", woke.Load())
	}
}

// TestCallsLoggedByHandWin: a talk the user logged by hand an hour before
// the phone tells of the call is the same talk: the log wins, as over
// mail, and the answer says so.
func TestCallsLoggedByHandWin(t *testing.T) {
	f := start(t, phonePeople)
	if r := f.do(t, "POST", "/api/contacts/mum/events", `{"kind": "talked", "at": "`+f.now.Add(-time.Hour).Format(time.RFC3339)+`"}`, true); r.status != http.StatusCreated {
		t.Fatalf("log: %d %s", r.status, r.body)
	}
	a := f.tell(t, f.callsCred(), `{"number": "+447700900123", "kind": "call", "direction": "outgoing", "duration": 300}`)
	if doc := decodeAnswer(t, a); a.status != http.StatusOK || !strings.Contains(doc["unchanged"].(string), "logged it by hand") {
		t.Errorf("a call already logged: %d %s; want 200, logged by hand", a.status, a.body)
	}
	if evs := f.events(t)["mum"]; len(evs) != 1 || evs[0].Source != "api" {
		t.Errorf("Mum's events %+v; want the one logged by hand", evs)
	}
}

// TestCallsBadFields: a request rekindle cannot read is a 400 that names
// the field (an automation's variable left unset arrives as its name), and
// a time in the future a 422; neither writes anything.
func TestCallsBadFields(t *testing.T) {
	f := start(t, phonePeople)
	cred := f.callsCred()
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"no number", `{"kind": "call", "direction": "incoming", "duration": 5}`, 400, "number: missing"},
		{"no kind", `{"number": "+447700900123", "direction": "incoming"}`, 400, "kind: "},
		{"a kind of nothing", `{"number": "+447700900123", "kind": "fax", "direction": "incoming"}`, 400, `kind: "fax"`},
		{"no direction", `{"number": "+447700900123", "kind": "text"}`, 400, "direction: "},
		{"a call without its length", `{"number": "+447700900123", "kind": "call", "direction": "incoming"}`, 400, "duration: missing"},
		{"an unset Tasker variable", `{"number": "+447700900123", "kind": "call", "direction": "outgoing", "duration": "%CODUR"}`, 400, `duration: "%CODUR"`},
		{"an unset Tasker number", `{"number": "%CNUM", "kind": "call", "direction": "incoming", "duration": 60}`, 400, `number: "%CNUM" is an automation app's variable that had no value`},
		{"an unset Tasker time", `{"number": "+447700900123", "kind": "text", "direction": "incoming", "at": "%SMSRT"}`, 400, `at: "%SMSRT" is an automation app's variable that had no value`},
		{"a length of nothing", `{"number": "+447700900123", "kind": "call", "direction": "outgoing", "duration": "NaN"}`, 400, `duration: "NaN"`},
		{"a time of nothing", `{"number": "+447700900123", "kind": "text", "direction": "incoming", "at": "yesterday"}`, 400, `at: "yesterday"`},
		{"a misspelt field", `{"number": "+447700900123", "kind": "text", "direction": "incoming", "duraton": 5}`, 400, "duraton: unknown field"},
		{"an object for a number", `{"number": {"e164": "+447700900123"}, "kind": "text", "direction": "incoming"}`, 400, "number: give a string or a number"},
		{"not JSON", `{"number": `, 400, "invalid JSON"},
		{"tomorrow's call", `{"number": "+447700900123", "kind": "call", "direction": "incoming", "duration": 5, "at": "` + f.now.Add(48*time.Hour).Format(time.RFC3339) + `"}`, 422, "in the future"},
	} {
		a := f.tell(t, cred, tc.body)
		if msg, _ := decodeAnswer(t, a)["error"].(string); a.status != tc.status || !strings.Contains(msg, tc.field) {
			t.Errorf("%s: %d %s; want %d naming %q", tc.name, a.status, a.body, tc.status, tc.field)
		}
	}
	if n := len(f.events(t)); n != 0 {
		t.Errorf("bad requests wrote %v", f.events(t))
	}
}

// TestCallsCredentialSaysWhenItEnds: in its last month a calls credential
// still works, and each answer says when it stops, so the automation's
// owner can see it coming.
func TestCallsCredentialSaysWhenItEnds(t *testing.T) {
	f := start(t, phonePeople)
	cred := links.Calls.Sign([]byte(token), f.now.AddDate(0, 0, 10))
	a := f.tell(t, cred, `{"number": "+447700900123", "kind": "text", "direction": "incoming"}`)
	if doc := decodeAnswer(t, a); a.status != http.StatusCreated || !strings.Contains(doc["warning"].(string), "stops working on 2026-12-10") {
		t.Errorf("a credential ending in 10 days: %d %s; want 201 with a warning", a.status, a.body)
	}
	if a := f.tell(t, f.callsCred(), `{"number": "+447700900123", "kind": "text", "direction": "incoming", "at": "2026-11-30T08:00:00Z"}`); strings.Contains(a.body, "warning") {
		t.Errorf("a new credential warns: %s", a.body)
	}
	if _, err := f.j.Events(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The scheme of an Authorization header is any case (RFC 9110 11.1), and
// spaces around the credential are no part of it: an automation app that
// writes "bearer" or a header pasted with a space too many still reports
// the call.
func TestCallsBearerInAnyCase(t *testing.T) {
	f := start(t, phonePeople)
	cred := f.callsCred()
	for i, h := range []string{"bearer " + cred, "BEARER " + cred, "Bearer  " + cred, "Bearer " + cred + " ", "Bearer\t" + cred} {
		body := fmt.Sprintf(`{"number":"+44 7700 900123","kind":"call","direction":"incoming","duration":60,"at":%d}`, f.now.Add(-time.Duration(i+1)*time.Minute).UnixMilli())
		a := f.visit(t, visit{method: "POST", link: "/api/calls", body: body, header: map[string]string{"Authorization": h}})
		if a.status != http.StatusCreated {
			t.Errorf("Authorization %q: %d %s; want 201", strings.Replace(h, cred, "CRED", 1), a.status, a.body)
		}
	}
	for _, h := range []string{"Bearer" + cred, "Basic " + cred, "Bearer x" + cred} {
		if a := f.visit(t, visit{method: "POST", link: "/api/calls", body: `{"number":"07700 900123","kind":"text","direction":"incoming"}`, header: map[string]string{"Authorization": h}}); a.status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d; want 401", strings.Replace(h, cred, "CRED", 1), a.status)
		}
	}
}
