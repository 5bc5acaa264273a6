package addressbook

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeDAV is a CardDAV server as SabreDAV-based ones (Baïkal) may be set
// up: Digest authentication only, and no sync-collection, so that a
// client reads it by ETags. It counts the cards it sends. With syncTokens
// it answers sync-collection as Radicale does (the cards' text in the
// answer), for the 10,000 cards' figures, where Radicale itself takes
// minutes to answer.
type fakeDAV struct {
	syncTokens bool
	version    int            // changes so far: the sync token is "v<version>"
	changed    map[string]int // name → the version that last put or deleted it

	URL               string
	user, pass, realm string
	mu                sync.Mutex
	cards             map[string]string // name → vCard
	etags             map[string]int
	sent              int  // cards sent in multiget answers
	basicTried        bool // a request came with Basic
	methods           map[string]bool
	nonces            []string // nonces handed out
}

const fakeBook = "/dav/addressbooks/me/default/"

func startFakeDAV(t *testing.T) *fakeDAV { return startFakeDAVB(t) }

func startFakeDAVB(t testing.TB) *fakeDAV {
	f := &fakeDAV{user: "me", pass: "digest-secret-77", realm: "BaikalDAV", cards: map[string]string{}, etags: map[string]int{}, changed: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f.URL = "http://" + ln.Addr().String()
	return f
}

func (f *fakeDAV) put(name, card string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cards[name] = card
	f.etags[name]++
	f.version++
	f.changed[name] = f.version
}

func (f *fakeDAV) del(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.cards, name)
	f.version++
	f.changed[name] = f.version
}

func (f *fakeDAV) takeSent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.sent
	f.sent = 0
	return n
}

var digestParam = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]*))`)

// authorized checks a Digest answer (MD5, qop=auth) as RFC 7616 has it.
func (f *fakeDAV) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if strings.HasPrefix(h, "Basic ") {
		f.basicTried = true
		return false
	}
	if !strings.HasPrefix(h, "Digest ") {
		return false
	}
	p := map[string]string{}
	for _, m := range digestParam.FindAllStringSubmatch(h[len("Digest "):], -1) {
		p[m[1]] = m[2] + m[3]
	}
	known := false
	for _, n := range f.nonces {
		known = known || n == p["nonce"]
	}
	md := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	ha1 := md(f.user + ":" + f.realm + ":" + f.pass)
	ha2 := md(r.Method + ":" + p["uri"])
	want := md(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	return known && p["username"] == f.user && p["realm"] == f.realm && p["qop"] == "auth" &&
		p["uri"] == r.URL.RequestURI() && p["response"] == want && p["opaque"] == "op4que"
}

func (f *fakeDAV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if f.methods == nil {
		f.methods = map[string]bool{}
	}
	f.methods[r.Method] = true
	if !f.authorized(r) {
		nonce := fmt.Sprintf("nonce%d", len(f.nonces))
		f.nonces = append(f.nonces, nonce)
		w.Header().Add("WWW-Authenticate", `Basic realm="`+f.realm+`"`)
		w.Header().Add("WWW-Authenticate", `Digest realm="`+f.realm+`", qop="auth,auth-int", nonce="`+nonce+`", opaque="op4que", algorithm=MD5`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ms := func(inner string) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">`+inner+`</d:multistatus>`)
	}
	resp := func(href, props string) string {
		return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop>` + props + `</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>` +
			`<d:propstat><d:prop><d:displayname/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>`
	}
	switch {
	case r.URL.Path == "/.well-known/carddav":
		http.Redirect(w, r, "/dav/", http.StatusMovedPermanently)
	case r.Method == "PROPFIND" && r.URL.Path == "/dav/":
		ms(resp("/dav/", `<d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>/dav/principals/me/</d:href></d:current-user-principal>`))
	case r.Method == "PROPFIND" && r.URL.Path == "/dav/principals/me/":
		ms(resp("/dav/principals/me/", `<card:addressbook-home-set><d:href>/dav/addressbooks/me/</d:href></card:addressbook-home-set>`))
	case r.Method == "PROPFIND" && r.URL.Path == "/dav/addressbooks/me/":
		ms(resp("/dav/addressbooks/me/", `<d:resourcetype><d:collection/></d:resourcetype>`) +
			resp(fakeBook, `<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>Default Address Book</d:displayname>`))
	case r.Method == "PROPFIND" && r.URL.Path == fakeBook:
		var names []string
		for n := range f.cards {
			names = append(names, n)
		}
		sort.Strings(names)
		out := resp(fakeBook, `<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>`)
		for _, n := range names {
			out += resp(fakeBook+url.PathEscape(n), fmt.Sprintf(`<d:getetag>"%s-%d"</d:getetag>`, n, f.etags[n]))
		}
		ms(out)
	case r.Method == "REPORT" && strings.Contains(string(body), "sync-collection") && f.syncTokens:
		m := regexp.MustCompile(`<D:sync-token>v?([0-9]*)</D:sync-token>`).FindStringSubmatch(string(body))
		if m == nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		since := -1 // the first read: every card
		if m[1] != "" {
			fmt.Sscan(m[1], &since)
		}
		var out strings.Builder
		out.Grow(len(f.changed) * 600)
		for n, v := range f.changed {
			if v <= since {
				continue
			}
			href := fakeBook + url.PathEscape(n)
			card, ok := f.cards[n]
			switch {
			case !ok && since >= 0:
				out.WriteString(`<d:response><d:href>` + href + `</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`)
			case ok:
				f.sent++
				out.WriteString(resp(href, fmt.Sprintf(`<d:getetag>"%s-%d"</d:getetag><card:address-data>%s</card:address-data>`, n, f.etags[n], escape(card))))
			}
		}
		ms(out.String() + fmt.Sprintf(`<d:sync-token>v%d</d:sync-token>`, f.version))
	case r.Method == "REPORT" && strings.Contains(string(body), "sync-collection"):
		w.WriteHeader(http.StatusNotImplemented)
	case r.Method == "REPORT" && strings.Contains(string(body), "addressbook-multiget"):
		out := ""
		for _, m := range regexp.MustCompile(`<D:href>([^<]*)</D:href>`).FindAllStringSubmatch(string(body), -1) {
			n, _ := url.PathUnescape(strings.TrimPrefix(m[1], fakeBook))
			card, ok := f.cards[n]
			if !ok {
				out += `<d:response><d:href>` + m[1] + `</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`
				continue
			}
			f.sent++
			out += resp(m[1], fmt.Sprintf(`<d:getetag>"%s-%d"</d:getetag><card:address-data>%s</card:address-data>`, n, f.etags[n], escape(card)))
		}
		ms(out)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
