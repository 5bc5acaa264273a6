package davhttp

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
)

const password = "pa55-word-never-seen"

var testLimits = Limits{Connect: 5 * time.Second, Whole: 20 * time.Second, Body: 1 << 20, Hops: 5}

// server is a test server that keeps every request it was sent.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	seen []*http.Request
	body []string
}

func start(t *testing.T, tls bool, h func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, r)
		s.body = append(s.body, string(b))
		n := len(s.seen)
		s.mu.Unlock()
		h(w, r, n)
	})
	if tls {
		s.Server = httptest.NewTLSServer(handler)
	} else {
		s.Server = httptest.NewServer(handler)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() ([]*http.Request, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.seen...), append([]string(nil), s.body...)
}

func newClient(t *testing.T, at, user, caFile string) *http.Client {
	t.Helper()
	roots, err := config.Roots(caFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{URL: mustURL(t, at), Username: user, Password: password, Roots: roots, Limits: testLimits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func propfind(t *testing.T, c *http.Client, at, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest("PROPFIND", at, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// The login goes only once the server asks, and then with each request
// at once; a Basic login refused is not tried again, and says whose it
// was without the password.
func TestBasicOnlyOnceAsked(t *testing.T) {
	s := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
		if u, p, ok := r.BasicAuth(); !ok || u != "me" || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusMultiStatus)
	})
	c := newClient(t, s.URL, "me", "")
	for range 2 {
		if resp, err := propfind(t, c, s.URL+"/dav/", "<propfind/>"); err != nil || resp.StatusCode != http.StatusMultiStatus {
			t.Fatalf("%v, %v", resp, err)
		}
	}
	seen, bodies := s.requests()
	if len(seen) != 3 {
		t.Fatalf("%d requests; want one without a login, then two with it", len(seen))
	}
	if seen[0].Header.Get("Authorization") != "" {
		t.Error("the first request carried a login before the server asked")
	}
	for i, r := range seen[1:] {
		if _, _, ok := r.BasicAuth(); !ok || bodies[i+1] != "<propfind/>" {
			t.Errorf("request %d: login %v, body %q", i+2, ok, bodies[i+1])
		}
	}

	wrong := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c = newClient(t, wrong.URL, "me", "")
	_, err := propfind(t, c, wrong.URL+"/", "x")
	msg, fix, ok := Explain(err, "the server")
	if !errors.Is(err, ErrRefused) || !ok || msg != "the server refused the login of me" || !strings.Contains(fix, "password") {
		t.Errorf("a refused login: %v: %q (%q)", err, msg, fix)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("the error shows the password: %v", err)
	}
	if seen, _ := wrong.requests(); len(seen) != 2 {
		t.Errorf("%d requests for a refused Basic login; want 2 (the same password again fares no better)", len(seen))
	}
}

// digestServer checks Digest answers (RFC 7616, MD5, qop=auth) from the
// password, and offers Basic too; after stale requests it takes a nonce,
// it says the nonce is stale and hands out another.
type digestServer struct {
	mu     sync.Mutex
	nonce  int
	uses   int
	stale  int
	basic  int // requests that came with Basic (the password in the clear)
	passed int
}

var digestParam = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]*))`)

func md5hex(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }

func (d *digestServer) serve(w http.ResponseWriter, r *http.Request, _ int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := r.Header.Get("Authorization")
	if strings.HasPrefix(h, "Basic ") {
		d.basic++
	}
	p := map[string]string{}
	if rest, ok := strings.CutPrefix(h, "Digest "); ok {
		for _, m := range digestParam.FindAllStringSubmatch(rest, -1) {
			p[m[1]] = m[2] + m[3]
		}
	}
	nonce := fmt.Sprintf("n%d", d.nonce)
	ha1 := md5hex("me:dav:" + password)
	want := md5hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + md5hex(r.Method+":"+p["uri"]))
	good := p["username"] == "me" && p["uri"] == r.URL.RequestURI() && p["response"] == want && p["opaque"] == "op"
	stale := good && p["nonce"] == nonce && d.stale > 0 && d.uses >= d.stale
	if !good || p["nonce"] != nonce || stale {
		if stale {
			d.nonce++
			d.uses = 0
		}
		w.Header().Add("WWW-Authenticate", `Basic realm="dav"`)
		w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Digest realm="dav", nonce="n%d", opaque="op", qop="auth,auth-int", algorithm=MD5, stale=%v`, d.nonce, stale))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	d.uses++
	d.passed++
	w.WriteHeader(http.StatusMultiStatus)
}

// A server that offers Digest and Basic gets Digest, never the password;
// a nonce it no longer takes is answered again with the new one, in the
// same request; a wrong password is refused as such.
func TestDigestWhereOffered(t *testing.T) {
	d := &digestServer{stale: 2}
	s := start(t, false, d.serve)
	c := newClient(t, s.URL, "me", "")
	for i := range 4 {
		if resp, err := propfind(t, c, s.URL+fmt.Sprintf("/dav/%d?x=y", i), "<propfind/>"); err != nil || resp.StatusCode != http.StatusMultiStatus {
			t.Fatalf("request %d: %v, %v", i, resp, err)
		}
	}
	seen, _ := s.requests()
	if d.passed != 4 || d.basic != 0 || d.nonce != 1 {
		t.Errorf("%d let through, %d with Basic, %d new nonces; want 4, none, one", d.passed, d.basic, d.nonce)
	}
	// One bare request, its Digest, then one each but for the stale nonce.
	if len(seen) != 6 {
		t.Errorf("%d requests; want 6 (bare, its login, one reused, one stale and again, one)", len(seen))
	}
	for _, r := range seen {
		if strings.Contains(r.Header.Get("Authorization"), password) {
			t.Error("the password went out")
		}
	}

	c, err := New(Options{URL: mustURL(t, s.URL), Username: "me", Password: "not-it", Limits: testLimits})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := propfind(t, c, s.URL+"/", "x"); !errors.Is(err, ErrRefused) || strings.Contains(err.Error(), "not-it") {
		t.Errorf("a wrong password through Digest: %v", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A redirect to another origin (another host name, or another port of
// the same host) carries no login, though that server asks for one; it is
// said with the fix.
func TestLoginStaysAtItsOrigin(t *testing.T) {
	other := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("WWW-Authenticate", `Basic realm="elsewhere"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	for _, away := range []string{
		strings.Replace(other.URL, "127.0.0.1", "localhost", 1), // another host name
		other.URL, // the same host on another port
	} {
		home := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
			if _, _, ok := r.BasicAuth(); !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="home"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, away+r.URL.Path, http.StatusTemporaryRedirect)
		})
		before, _ := other.requests()
		c := newClient(t, home.URL, "me", "")
		_, err := propfind(t, c, home.URL+"/dav/", "x")
		msg, fix, ok := Explain(err, home.URL)
		if !ok || !strings.Contains(msg, "gives yours only to") || !strings.Contains(fix, "write url") {
			t.Errorf("to %s: %v: %q (%q)", away, err, msg, fix)
		}
		seen, _ := other.requests()
		if len(seen) == len(before) {
			t.Fatalf("the redirect to %s was not followed; the test proves nothing", away)
		}
		for _, r := range seen[len(before):] {
			if a := r.Header.Get("Authorization"); a != "" {
				t.Errorf("%s got a login: %q", away, a)
			}
		}
	}
}

// A redirect keeps the method and the body (a PROPFIND stays one), the
// answer says where it came from, and too many redirects are an error.
func TestRedirectKeepsTheMethod(t *testing.T) {
	s := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/.well-known/carddav":
			http.Redirect(w, r, "/dav/", http.StatusMovedPermanently)
		case "/dav/":
			w.WriteHeader(http.StatusMultiStatus)
		default:
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}
	})
	c := newClient(t, s.URL, "", "")
	resp, err := propfind(t, c, s.URL+"/.well-known/carddav", "<propfind/>")
	if err != nil || resp.StatusCode != http.StatusMultiStatus || resp.Request.URL.Path != "/dav/" {
		t.Fatalf("%v, %v", resp, err)
	}
	seen, bodies := s.requests()
	if last := seen[len(seen)-1]; last.Method != "PROPFIND" || bodies[len(bodies)-1] != "<propfind/>" {
		t.Errorf("after the redirect: %s with %q; want the PROPFIND and its body", last.Method, bodies[len(bodies)-1])
	}
	_, err = propfind(t, c, s.URL+"/loop", "x")
	if msg, _, ok := Explain(err, "the server"); !ok || !strings.Contains(msg, "more than 5 times") {
		t.Errorf("endless redirects: %v: %q", err, msg)
	}
	if seen2, _ := s.requests(); len(seen2)-len(seen) != 6 {
		t.Errorf("%d requests to the endless redirects; want 6 (the first and five hops)", len(seen2)-len(seen))
	}
}

// caFile writes the authority of a test TLS server.
func caFile(t *testing.T, s *server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// From https, a redirect to plain http is not followed, with or without a
// login: the plain server is never asked.
func TestNoDowngrade(t *testing.T) {
	plain := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusMultiStatus) })
	secure := start(t, true, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	for _, user := range []string{"", "me"} {
		c := newClient(t, secure.URL, user, caFile(t, secure))
		_, err := propfind(t, c, secure.URL+"/dav/", "x")
		if msg, fix, ok := Explain(err, "the server"); !ok || !strings.Contains(msg, "without https") || fix == "" {
			t.Errorf("login %q: %v: %q (%q)", user, err, msg, fix)
		}
	}
	if seen, _ := plain.requests(); len(seen) != 0 {
		t.Errorf("the plain server was asked %d times", len(seen))
	}
}

// The certificate of a server whose authority the system does not know is
// refused, with the fix; with that authority in ca_file it is read. A
// ca_file that holds no certificate is said at once.
func TestCAFile(t *testing.T) {
	s := start(t, true, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusMultiStatus) })
	_, err := propfind(t, newClient(t, s.URL, "", ""), s.URL+"/", "x")
	if msg, fix, ok := Explain(err, "the server"); !ok || !strings.Contains(msg, "does not verify") || !strings.Contains(fix, "ca_file") {
		t.Errorf("an unknown authority: %v: %q (%q)", err, msg, fix)
	}
	if resp, err := propfind(t, newClient(t, s.URL, "", caFile(t, s)), s.URL+"/", "x"); err != nil || resp.StatusCode != http.StatusMultiStatus {
		t.Errorf("with ca_file: %v, %v", resp, err)
	}
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	if _, err := config.Roots(junk); err == nil || !strings.Contains(err.Error(), "junk.pem") {
		t.Errorf("a ca_file with no certificate: %v", err)
	}
}

// An answer is cut at Limits.Body: one that says it is longer is refused
// unread, one that does not say fails past the bound; one at the bound is
// read whole.
func TestAnswerBounded(t *testing.T) {
	const max = 1 << 10
	s := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/said":
			w.Header().Set("Content-Length", fmt.Sprint(max+1))
			w.Write(make([]byte, max+1))
		case "/unsaid":
			w.Write(make([]byte, max))
			w.(http.Flusher).Flush() // chunked: no length said
			w.Write([]byte("x"))
		case "/whole":
			w.Write(make([]byte, max))
		}
	})
	c, err := New(Options{Limits: Limits{Connect: time.Second, Whole: 10 * time.Second, Body: max, Hops: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"/said": true, "/unsaid": true, "/whole": false} {
		resp, err := c.Get(s.URL + path)
		var n int
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			n = len(b)
		}
		msg, _, _ := Explain(err, "the server")
		switch {
		case want && (!errors.Is(err, ErrTooLarge) || !strings.Contains(msg, "larger than rekindle reads (1 KB)")):
			t.Errorf("%s: %v: %q; want too large", path, err, msg)
		case !want && (err != nil || n != max):
			t.Errorf("%s: %d bytes, %v; want %d", path, n, err, max)
		}
	}
}

// A server that does not answer in time is said as such, with the fix,
// whether the bound is the wait for the answer or the whole request's
// (the address book has only that one); the address net/http puts in its
// errors is left out (an ics address is a password).
func TestNoAnswerInTime(t *testing.T) {
	release := make(chan struct{})
	s := start(t, false, func(w http.ResponseWriter, r *http.Request, n int) { <-release })
	defer close(release)
	for name, l := range map[string]Limits{
		"answer": {Connect: time.Second, Answer: 50 * time.Millisecond, Whole: 10 * time.Second, Body: 1, Hops: 1},
		"whole":  {Connect: time.Second, Whole: 50 * time.Millisecond, Body: 1, Hops: 1},
	} {
		c, err := New(Options{Limits: l})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(s.URL + "/private-5ecret/basic.ics")
		msg, fix, ok := Explain(err, "the server")
		if !ok || msg != "no answer in time from the server" || !strings.Contains(fix, "tries again later") {
			t.Errorf("%s: %v: %q (%q)", name, err, msg, fix)
		}
		if strings.Contains(Bare(err).Error(), "5ecret") || !strings.Contains(err.Error(), "5ecret") {
			t.Errorf("%s: Bare(%v) = %v; want it without the address", name, err, Bare(err))
		}
	}
}

// iCloud names a person's address book on another host of its own site:
// the login goes there over https, and never to another site, to plain
// http, or to an address written as an IP.
func TestSameSite(t *testing.T) {
	home := mustURL(t, "https://contacts.icloud.com/")
	cases := map[string]bool{
		"https://p42-contacts.icloud.com/123/carddavhome/": true,
		"https://P42-Contacts.iCloud.com:443/":             true,
		"http://p42-contacts.icloud.com/":                  false, // plain http
		"https://icloud.com.evil.example/":                 false,
		"https://evil-icloud.com/":                         false,
		"https://127.0.0.1/":                               false,
	}
	for u, want := range cases {
		if got := sameSite(mustURL(t, u), home); got != want {
			t.Errorf("sameSite(%s, %s) = %v; want %v", u, home, got, want)
		}
	}
	// A public suffix is no site: two names under github.io are two sites.
	if sameSite(mustURL(t, "https://a.github.io/"), mustURL(t, "https://b.github.io/")) {
		t.Error("a.github.io and b.github.io taken for one site")
	}
	if sameSite(mustURL(t, "https://dav.example.org/"), mustURL(t, "http://dav.example.org/")) {
		t.Error("a source at http:// vouches for https hosts")
	}
}
