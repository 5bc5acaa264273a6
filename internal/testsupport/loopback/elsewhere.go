package loopback

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Elsewhere is a server on this machine under another name (localhost,
// where httptest's servers are 127.0.0.1): another host to a client. It
// asks for a Basic login, and keeps the Authorization of every request it
// gets, to show that none was carried there.
type Elsewhere struct {
	URL string

	mu     sync.Mutex
	logins []string
}

// NewElsewhere starts an Elsewhere, closed when the test ends.
func NewElsewhere(t testing.TB) *Elsewhere {
	e := &Elsewhere{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.logins = append(e.logins, r.Header.Get("Authorization"))
		e.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="elsewhere"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	e.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return e
}

// NoLoginCame fails the test when a request came with a login, and when
// none came at all (the redirect was not followed: the test proves
// nothing).
func (e *Elsewhere) NoLoginCame(t testing.TB) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.logins) == 0 {
		t.Fatal("the redirect was not followed; the test proves nothing")
	}
	for _, a := range e.logins {
		if a != "" {
			t.Errorf("the other host got credentials: %q", a)
		}
	}
}

// SendsThere starts a server that asks for Basic and, to a request with
// user's login, answers with a redirect to the same path at e; it
// returns its URL.
func (e *Elsewhere) SendsThere(t testing.TB, user, password string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="home"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, e.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
