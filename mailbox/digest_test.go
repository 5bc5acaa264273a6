package mailbox

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
)

// digestGate stands before a server as SabreDAV's Digest login does
// (Baïkal): a request without credentials gets 401 with a Digest
// challenge (RFC 7616, MD5, qop=auth); one with a response computed from
// the right password goes through, logged in to the server behind with
// Basic; any other is refused. It counts what it saw.
type digestGate struct {
	realm, user, password string

	mu      sync.Mutex
	nonces  map[string]bool
	passed  int
	basic   int // requests that came with Basic credentials (a password in the clear)
	refused int
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// params reads the key="value" pairs of a Digest header.
func params(h string) map[string]string {
	out := map[string]string{}
	for len(h) > 0 {
		h = strings.TrimLeft(h, " ,")
		k, rest, ok := strings.Cut(h, "=")
		if !ok {
			break
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			v, h = rest[1:1+end], rest[2+end:]
		} else {
			v, h, _ = strings.Cut(rest, ",")
		}
		out[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return out
}

func (g *digestGate) challenge(w http.ResponseWriter) {
	nonce := rand.Text()
	g.nonces[nonce] = true
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, nonce=%q, qop="auth", algorithm=MD5`, g.realm, nonce))
	w.WriteHeader(http.StatusUnauthorized)
}

func (g *digestGate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		auth := r.Header.Get("Authorization")
		if strings.HasPrefix(auth, "Basic ") {
			g.basic++
		}
		scheme, rest, _ := strings.Cut(auth, " ")
		p := params(rest)
		ha1 := md5hex(g.user + ":" + g.realm + ":" + g.password)
		ha2 := md5hex(r.Method + ":" + p["uri"])
		want := md5hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2)
		ok := strings.EqualFold(scheme, "Digest") && g.nonces[p["nonce"]] && p["username"] == g.user && p["realm"] == g.realm &&
			p["qop"] == "auth" && p["uri"] == r.URL.RequestURI() && p["response"] == want
		if !ok {
			if auth != "" {
				g.refused++
			}
			g.challenge(w)
			g.mu.Unlock()
			return
		}
		g.passed++
		g.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// A server that asks for Digest is logged in to with Digest: the password
// is never sent, in Basic or otherwise; a wrong one is refused as such.
func TestCalDAVDigest(t *testing.T) {
	t.Parallel()
	rad := radicaletest.Start(t, radicaletest.Options{})
	rad.MakeCalendar(t, "work", "Work")
	behind, _ := url.Parse(rad.URL)
	proxy := httputil.NewSingleHostReverseProxy(behind)
	gate := &digestGate{realm: "BaikalDAV", user: "me", password: "digest-only-pass-77", nonces: map[string]bool{}}
	srv := httptest.NewServer(gate.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Authorization")
		r.SetBasicAuth(rad.User, rad.Password)
		proxy.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)

	table := fmt.Sprintf("type = \"caldav\"\nurl = %q\nusername = \"me\"\npassword = %q\nme = [\"me@home.example\"]\n", srv.URL, gate.password)
	got, err := Check(context.Background(), calSource(t, table).Sources["cal"])
	if err != nil || !slices.Equal(got, []string{"Work"}) {
		t.Fatalf("check through Digest: %v, %v", got, err)
	}
	if gate.passed < 3 || gate.basic != 0 || gate.refused != 0 {
		t.Errorf("the gate let %d through, saw %d Basic logins and refused %d; want the discovery through, no Basic, none refused", gate.passed, gate.basic, gate.refused)
	}
	wrong := strings.Replace(table, gate.password, "not-it-at-all-00", 1)
	_, err = Check(context.Background(), calSource(t, wrong).Sources["cal"])
	if err == nil || !strings.Contains(err.Error(), "refused the login") {
		t.Errorf("a wrong password through Digest: %v", err)
	}
}
