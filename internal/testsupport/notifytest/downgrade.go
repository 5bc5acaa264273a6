package notifytest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Downgrade is a server that answers every request over TLS with a
// redirect (Status: 307 by default, which keeps the method and the body;
// 302 turns it into a GET, which net/http follows even when it cannot
// send the body again) to the same path on a plain-http listener of the
// same host: what a hijacked or badly set
// up server does to make a client resend its credentials in clear. The
// plain listener records what reaches it.
type Downgrade struct {
	TLS   *httptest.Server // where a channel is pointed
	Plain *httptest.Server // where the redirect goes

	mu     sync.Mutex
	status int
	got    []Request
}

// Request is what reached the plain listener.
type Request struct {
	Method, URL string
	Header      http.Header
	Body        []byte
}

// NewDowngrade starts the two listeners on 127.0.0.1.
func NewDowngrade() *Downgrade {
	d := &Downgrade{status: http.StatusTemporaryRedirect}
	d.Plain = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d.mu.Lock()
		d.got = append(d.got, Request{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: body})
		d.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"ok": true}`)
	}))
	d.TLS = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		status := d.status
		d.mu.Unlock()
		http.Redirect(w, r, d.Plain.URL+r.URL.RequestURI(), status)
	}))
	return d
}

// Status sets the redirect's status.
func (d *Downgrade) Status(code int) {
	d.mu.Lock()
	d.status = code
	d.mu.Unlock()
}

// Got is what reached the plain listener.
func (d *Downgrade) Got() []Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Request(nil), d.got...)
}

// Close stops both listeners.
func (d *Downgrade) Close() {
	d.TLS.Close()
	d.Plain.Close()
}

// RedirectHostsVia is RedirectHosts over the transport next (one that
// trusts a test server's certificate).
func RedirectHostsVia(next http.RoundTripper, to map[string]*httptest.Server) *http.Client {
	c := RedirectHosts(to)
	c.Transport = rewrite{c.Transport.(rewrite).to, next}
	return c
}
