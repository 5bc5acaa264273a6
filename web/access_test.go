package web

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
)

// A visit is one request as a browser or a phone would make it: from afar
// (through the proxy in front of public_url) unless local, with the
// cookies given, never following a redirect.
type visit struct {
	method, link, body string
	local              bool
	cookies            []*http.Cookie
	header             map[string]string
	host               string // the Host header, when not the server's address
}

type answer struct {
	status  int
	body    string
	cookies []*http.Cookie
}

func (f *fixture) visit(t *testing.T, v visit) answer {
	t.Helper()
	if v.method == "" {
		v.method = "GET"
	}
	u := strings.Replace(v.link, f.cfg.PublicURL, f.url, 1)
	if strings.HasPrefix(u, "/") {
		u = f.url + u
	}
	req, _ := http.NewRequest(v.method, u, strings.NewReader(v.body))
	if !v.local {
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
	}
	if v.method == "POST" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Content-Type", "application/json")
		if !strings.HasPrefix(v.body, "{") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	for k, val := range v.header {
		req.Header.Set(k, val)
	}
	if v.host != "" {
		req.Host = v.host
	}
	for _, c := range v.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Cookies()}
}

// keep is what a browser keeps: the cookies it had, each replaced by a
// new one of the same name and path.
func keep(jar, set []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, old := range jar {
		if !slices.ContainsFunc(set, func(c *http.Cookie) bool { return c.Name == old.Name && c.Path == old.Path }) {
			out = append(out, old)
		}
	}
	return append(out, set...)
}

func (f *fixture) events(t *testing.T) map[string][]journal.Event {
	t.Helper()
	all, err := f.j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestPersonLinkOpensThatPersonAlone plays the attack: a reminder's
// link for Bob is opened, and its cookie is then sent everywhere. It opens
// Bob's page and Bob's changes; nothing of anyone else, not the overview,
// the API's list, the calendar or the metrics.
func TestPersonLinkOpensThatPersonAlone(t *testing.T) {
	f := start(t)
	opened := f.visit(t, visit{link: f.personLink("bob")})
	if opened.status != http.StatusSeeOther || len(opened.cookies) == 0 {
		t.Fatalf("the link: %d %v; want a redirect with a session", opened.status, opened.cookies)
	}
	jar := opened.cookies
	for _, c := range jar {
		if c.Name == personCookie && c.Path != "/people/bob" {
			t.Errorf("the person's cookie has path %q; want /people/bob, so a browser sends it nowhere else", c.Path)
		}
	}
	page := f.visit(t, visit{link: "/people/bob", cookies: jar})
	if page.status != 200 || !strings.Contains(page.body, "<h1>Bob</h1>") || !strings.Contains(page.body, `value="talked"`) {
		t.Errorf("Bob's page with his link's session: %d, want 200 with the forms:\n%.400s", page.status, page.body)
	}
	if strings.Contains(page.body, `href="/"`+">← everyone") {
		t.Error("Bob's page offers the overview to his link's session")
	}
	if a := f.visit(t, visit{method: "POST", link: "/people/bob/do", body: "action=talked", cookies: jar}); a.status != http.StatusSeeOther {
		t.Errorf("Bob's form: %d %s; want 303", a.status, a.body)
	}
	if a := f.visit(t, visit{method: "POST", link: "/api/contacts/bob/snooze", body: `{"duration":"3d"}`, cookies: jar}); a.status != http.StatusCreated {
		t.Errorf("Bob's snooze through the API: %d %s; want 201", a.status, a.body)
	}
	for _, v := range []visit{
		{link: "/"},
		{link: "/people/alice-moreau"},
		{link: "/api/contacts"},
		{link: "/api/contacts/alice-moreau"},
		{link: "/calendar.ics"},
		{link: "/metrics"},
		{method: "POST", link: "/api/contacts/alice-moreau/let-be", body: "{}"},
		{method: "POST", link: "/api/contacts/alice-moreau/events", body: `{"kind":"fallout"}`},
		{method: "POST", link: "/people/alice-moreau/do", body: "action=let-be"},
	} {
		v.cookies = jar
		a := f.visit(t, v)
		if a.status != http.StatusUnauthorized || strings.Contains(a.body, "Alice") || strings.Contains(a.body, "chess") {
			t.Errorf("%s %s with Bob's session: %d; want 401 and nothing of anyone else:\n%.300s", v.method, v.link, a.status, a.body)
		}
		if len(a.cookies) != 0 {
			t.Errorf("%s %s set %v", v.method, v.link, a.cookies)
		}
	}
	all := f.events(t)
	if len(all) != 1 || len(all["bob"]) != 2 {
		t.Errorf("events %v; want Bob's talked and snooze alone", all)
	}
}

// TestNoLinkRenewsItself: the days 0, 6 and 12. On day 0 a
// reminder's link is opened; on day 6 its session tries to fetch fresh
// links from the calendar feed; on day 12 nothing it got still opens
// anything. The session ends when its link does.
func TestNoLinkRenewsItself(t *testing.T) {
	f := start(t)
	day0 := f.now
	link := f.personLinkUntil("bob", day0.Add(time.Hour))
	jar := f.visit(t, visit{link: link}).cookies
	for _, c := range jar {
		if c.Expires.After(day0.Add(time.Hour)) {
			t.Errorf("cookie %s lasts until %v, beyond its link (%v)", c.Name, c.Expires, day0.Add(time.Hour))
		}
	}
	f.now = day0.Add(2 * time.Hour)
	if a := f.visit(t, visit{link: "/people/bob", cookies: jar}); a.status != http.StatusUnauthorized {
		t.Errorf("two hours on, the session of an hour's link: %d; want 401", a.status)
	}

	f.now = day0
	jar = f.visit(t, visit{link: f.personLink("bob")}).cookies
	fresh := regexp.MustCompile(`https://rekindle\.example\.org/people/[^?\s]+\?t=[^\s]+`)
	for _, day := range []int{0, 6, 12} {
		f.now = day0.AddDate(0, 0, day)
		feed := f.visit(t, visit{link: "/calendar.ics", cookies: jar})
		for _, l := range fresh.FindAllString(strings.ReplaceAll(feed.body, "\r\n ", ""), -1) {
			jar = keep(jar, f.visit(t, visit{link: l, cookies: jar}).cookies)
		}
		bob := f.visit(t, visit{link: "/people/bob", cookies: jar}).status
		everyone := f.visit(t, visit{link: "/", cookies: jar}).status
		want := map[int]int{0: 200, 6: 200, 12: 401}[day]
		if bob != want || everyone != 401 || feed.status != 401 {
			t.Errorf("day %d: Bob's page %d (want %d), the overview %d, the feed %d (want 401)", day, bob, want, everyone, feed.status)
		}
	}
}

// TestCalendarLinkReadsTheFeedAlone: a calendar link reads the feed, gives
// no session, and its events link to pages that open to nobody by
// themselves.
func TestCalendarLinkReadsTheFeedAlone(t *testing.T) {
	f := start(t)
	feed := f.visit(t, visit{link: f.calendarLink()})
	if feed.status != 200 || !strings.Contains(feed.body, "BEGIN:VCALENDAR") || len(feed.cookies) != 0 {
		t.Fatalf("the feed: %d, cookies %v", feed.status, feed.cookies)
	}
	urls := regexp.MustCompile(`(?m)^URL:(.*)\r$`).FindAllStringSubmatch(strings.ReplaceAll(feed.body, "\r\n ", ""), -1)
	if len(urls) == 0 {
		t.Fatalf("no event links in the feed:\n%s", feed.body)
	}
	for _, u := range urls {
		if strings.Contains(u[1], "?") {
			t.Errorf("an event links to %s, with a credential", u[1])
		}
		if a := f.visit(t, visit{link: u[1]}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 {
			t.Errorf("the event's link %s from afar: %d %v; want 401", u[1], a.status, a.cookies)
		}
	}
	tok := strings.SplitN(f.calendarLink(), "?t=", 2)[1]
	for _, path := range []string{"/people/bob?t=" + tok, "/login?t=" + tok, "/?t=" + tok, "/api/contacts?t=" + tok, "/metrics?t=" + tok} {
		if a := f.visit(t, visit{link: path}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 {
			t.Errorf("the calendar's credential on %s: %d %v; want 401 and no session", path, a.status, a.cookies)
		}
	}
}

// TestCredentialsSignedByAClockFarAhead: `run --once --at 9000-01-01
// --send` signed links until 9000. However a credential was made, its
// expiry counts from the clock that checks it: one that claims more than
// its kind's lifetime from now is refused.
func TestCredentialsSignedByAClockFarAhead(t *testing.T) {
	f := start(t)
	far := time.Date(9000, 1, 8, 0, 0, 0, 0, time.UTC)
	if a := f.visit(t, visit{link: f.personLinkUntil("bob", far)}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 {
		t.Errorf("a link until 9000: %d %v; want 401", a.status, a.cookies)
	}
	if a := f.visit(t, visit{link: f.calendarLinkUntil(far)}); a.status != http.StatusUnauthorized {
		t.Errorf("a calendar link until 9000: %d; want 401", a.status)
	}
	u, cred := f.buttonUntil("bob", "talked", far)
	if a := f.visit(t, visit{method: "POST", link: u, header: map[string]string{"Authorization": "Bearer " + cred}}); a.status != http.StatusUnauthorized {
		t.Errorf("a button until 9000: %d; want 401", a.status)
	}
	if a := f.visit(t, visit{link: "/", cookies: []*http.Cookie{{Name: sessionCookie, Value: f.sessionUntil(far)}}}); a.status != http.StatusUnauthorized {
		t.Errorf("a session until 9000: %d; want 401", a.status)
	}
	// What the real clock signs works, to the last second.
	if a := f.visit(t, visit{link: f.personLinkUntil("bob", f.now.AddDate(0, 0, 7))}); a.status != http.StatusSeeOther {
		t.Errorf("a link for a week from now: %d; want 303", a.status)
	}
	if len(f.events(t)) != 0 {
		t.Errorf("recorded %v", f.events(t))
	}
}

// TestButtonActsOncePerNotification: "Reached out" tapped twice (and then
// eight times at once) is one event, and the second tap answers 200 so
// the phone clears the notification; the next notification's button is
// another event. Two taps used to log two reached-outs, and the no-flooding
// rule then let the person be.
func TestButtonActsOncePerNotification(t *testing.T) {
	f := start(t)
	u, cred := f.button("alice-moreau", "reached-out", "N1")
	tap := func() answer {
		return f.visit(t, visit{method: "POST", link: u, header: map[string]string{"Authorization": "Bearer " + cred}})
	}
	if a := tap(); a.status != http.StatusCreated {
		t.Fatalf("the first tap: %d %s", a.status, a.body)
	}
	second := tap()
	if second.status != http.StatusOK || !strings.Contains(second.body, "already recorded") || !strings.Contains(second.body, `"state": "waiting"`) {
		t.Errorf("the second tap: %d %s; want 200, already recorded, still waiting", second.status, second.body)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { tap() })
	}
	wg.Wait()
	if evs := f.events(t)["alice-moreau"]; len(evs) != 1 || evs[0].Kind != journal.ReachedOut || evs[0].Source != "phone" {
		t.Errorf("events %+v; want one reached-out from the phone", evs)
	}
	if st := f.stateOf(t, "alice-moreau")["state"]; st != "waiting" {
		t.Errorf("Alice is %v; want waiting", st)
	}
	// The same button of the next notification is another tap.
	u2, cred2 := f.button("alice-moreau", "reached-out", "N2")
	if a := f.visit(t, visit{method: "POST", link: u2, header: map[string]string{"Authorization": "Bearer " + cred2}}); a.status != http.StatusCreated {
		t.Errorf("the next notification's button: %d %s", a.status, a.body)
	}
	// Another button of the first notification is its own.
	u3, cred3 := f.button("alice-moreau", "snooze-3d", "N1")
	if a := f.visit(t, visit{method: "POST", link: u3, header: map[string]string{"Authorization": "Bearer " + cred3}}); a.status != http.StatusCreated {
		t.Errorf("Snooze on the first notification: %d %s", a.status, a.body)
	}
	if n := len(f.events(t)["alice-moreau"]); n != 3 {
		t.Errorf("%d events; want 3", n)
	}
}

// TestDashboardWritesNeedTheToken: a visit from this machine reads the
// dashboard but gets no session and no forms, so a local process (or a
// page it opens) cannot change anything; signing in with the api_token
// opens the forms, from here or from afar.
func TestDashboardWritesNeedTheToken(t *testing.T) {
	f := start(t)
	var jar []*http.Cookie
	for _, path := range []string{"/", "/people/bob"} {
		a := f.visit(t, visit{link: path, local: true})
		if a.status != 200 || len(a.cookies) != 0 {
			t.Errorf("GET %s from this machine: %d, cookies %v; want 200 and no session", path, a.status, a.cookies)
		}
		if strings.Contains(a.body, `value="talked"`) || !strings.Contains(a.body, `href="/login"`) {
			t.Errorf("GET %s from this machine shows forms, or no way to sign in:\n%.600s", path, a.body)
		}
		jar = append(jar, a.cookies...)
	}
	if a := f.visit(t, visit{method: "POST", link: "/people/bob/do", body: "action=let-be", local: true, cookies: jar}); a.status != http.StatusUnauthorized {
		t.Errorf("a form post from this machine: %d; want 401", a.status)
	}
	if a := f.visit(t, visit{method: "POST", link: "/api/contacts/bob/let-be", body: "{}", local: true, cookies: jar}); a.status != http.StatusUnauthorized {
		t.Errorf("an API write from this machine: %d; want 401", a.status)
	}
	if len(f.events(t)) != 0 {
		t.Fatalf("recorded %v", f.events(t))
	}

	// Sign in: a wrong token is refused, the right one gives the session.
	if a := f.visit(t, visit{link: "/login"}); a.status != 200 || !strings.Contains(a.body, `name="token"`) {
		t.Errorf("the sign-in form: %d\n%.300s", a.status, a.body)
	}
	if a := f.visit(t, visit{method: "POST", link: "/login", body: "token=" + token + "x"}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 || !strings.Contains(a.body, "not the api_token") {
		t.Errorf("a wrong token: %d %v", a.status, a.cookies)
	}
	if a := f.visit(t, visit{method: "POST", link: "/login", body: "token=" + token, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}); a.status != http.StatusForbidden || len(a.cookies) != 0 {
		t.Errorf("a sign-in posted from another site: %d %v; want 403", a.status, a.cookies)
	}
	in := f.visit(t, visit{method: "POST", link: "/login", body: "token=" + token})
	if in.status != http.StatusSeeOther || len(in.cookies) != 1 || in.cookies[0].Name != sessionCookie || !in.cookies[0].HttpOnly || in.cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("the right token: %d %v; want a redirect with a strict, HttpOnly session", in.status, in.cookies)
	}
	// Its Max-Age counts from the browser's own clock: a phone whose clock
	// is off (or a fixture's day, for a browser on today's) keeps it.
	if ttl := int(links.SessionTTL.Seconds()); in.cookies[0].MaxAge != ttl {
		t.Errorf("the session's Max-Age is %d; want %d, the session's length", in.cookies[0].MaxAge, ttl)
	}
	for _, local := range []bool{true, false} {
		if a := f.visit(t, visit{link: "/people/alice-moreau", local: local, cookies: in.cookies}); a.status != 200 || !strings.Contains(a.body, `value="talked"`) {
			t.Errorf("signed in (local %v), Alice's page: %d, forms shown: %v", local, a.status, strings.Contains(a.body, `value="talked"`))
		}
		if a := f.visit(t, visit{link: "/api/contacts", local: local, cookies: in.cookies}); a.status != 200 {
			t.Errorf("signed in (local %v), the API's list: %d", local, a.status)
		}
	}
	if a := f.visit(t, visit{method: "POST", link: "/people/bob/do", body: "action=let-be", cookies: in.cookies}); a.status != http.StatusSeeOther {
		t.Errorf("signed in, a form post: %d %s", a.status, a.body)
	}
	if all := f.events(t); len(all["bob"]) != 1 {
		t.Errorf("events %v; want Bob's let-be", all)
	}
	out := f.visit(t, visit{method: "POST", link: "/logout", cookies: in.cookies})
	if out.status != http.StatusSeeOther || len(out.cookies) != 1 || out.cookies[0].MaxAge >= 0 {
		t.Errorf("sign out: %d %v; want the session cookie removed", out.status, out.cookies)
	}
}

// TestSignInLinkWorksOnce: `rekindle dashboard-link`'s link signs a
// browser in, once, for ten minutes.
func TestSignInLinkWorksOnce(t *testing.T) {
	f := start(t)
	link := f.signInLink(f.now)
	in := f.visit(t, visit{link: link})
	if in.status != http.StatusSeeOther || len(in.cookies) != 1 || in.cookies[0].Name != sessionCookie {
		t.Fatalf("the sign-in link: %d %v", in.status, in.cookies)
	}
	if a := f.visit(t, visit{link: "/", cookies: in.cookies}); a.status != 200 || !strings.Contains(a.body, "Alice Moreau") {
		t.Errorf("signed in by the link, the overview from afar: %d", a.status)
	}
	if a := f.visit(t, visit{link: link}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 || !strings.Contains(a.body, "used already") {
		t.Errorf("the link a second time: %d %v; want 401, used already", a.status, a.cookies)
	}
	for name, l := range map[string]string{
		"eleven minutes old":   f.signInLink(f.now.Add(-11 * time.Minute)),
		"signed in year 9000":  f.signInLink(time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"a person's link":      strings.Replace(f.personLink("bob"), "/people/bob", "/login", 1),
		"with its nonce taken": f.cfg.PublicURL + "/login?t=" + strings.SplitN(strings.SplitN(f.signInLink(f.now), "?t=", 2)[1], ".", 2)[1],
	} {
		if a := f.visit(t, visit{link: l}); a.status != http.StatusUnauthorized || len(a.cookies) != 0 {
			t.Errorf("%s: %d %v; want 401", name, a.status, a.cookies)
		}
	}
}

// TestPageButtonActsOnce: a person's page opened from a reminder has the
// same buttons as the notification; a double tap of "Reached out" (or the
// form sent again with the back button) is one event, as for the phone's
// buttons: two made it two unanswered messages, and the person let be.
// Another button of the same page still acts.
func TestPageButtonActsOnce(t *testing.T) {
	f := start(t)
	in := f.visit(t, visit{method: "POST", link: "/login", body: "token=" + token})
	page := f.visit(t, visit{link: "/people/bob", cookies: in.cookies})
	form, _, _ := strings.Cut(page.body[strings.Index(page.body, `<form method="post" action="/people/bob/do"`):], "</form>")
	fields := ""
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(form, -1) {
		fields += "&" + m[1] + "=" + m[2]
	}
	for range 2 {
		if a := f.visit(t, visit{method: "POST", link: "/people/bob/do", body: "action=reached-out" + fields, cookies: in.cookies}); a.status != http.StatusSeeOther {
			t.Fatalf("the form: %d %s", a.status, a.body)
		}
	}
	if got := f.events(t)["bob"]; len(got) != 1 {
		t.Errorf("two taps of Reached out on one page: %d events; want 1", len(got))
	}
	if a := f.visit(t, visit{method: "POST", link: "/people/bob/do", body: "action=talked" + fields, cookies: in.cookies}); a.status != http.StatusSeeOther {
		t.Fatalf("the form: %d %s", a.status, a.body)
	}
	if got := f.events(t)["bob"]; len(got) != 2 {
		t.Errorf("after Talked on the same page: %d events; want 2", len(got))
	}
}
