package mailbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/icholy/digest"
	"github.com/rekindle/rekindle/config"
)

// What a calendar server may take and send: a server that stalls or sends
// without end fails the sync instead of holding it or filling memory.
var calendarLimits = struct {
	connect, answer, whole time.Duration
	body                   int64 // bytes of one answer
}{connect: 20 * time.Second, answer: 60 * time.Second, whole: 5 * time.Minute, body: 32 << 20}

// errTooLarge is an answer longer than calendarLimits.body.
var errTooLarge = errors.New("the server's answer is larger than rekindle reads")

// errRefused is a login the server refused (401 after the credentials).
var errRefused = errors.New("the server refused the login")

// calendarClient is the HTTP client of a calendar source at origin (the
// scheme and host of its url): its ca_file trusted besides the system's,
// Basic or Digest as the server asks (the password sent only once it has
// asked, and only to origin: a redirect elsewhere gets no credential),
// no redirect from https to http, and the limits above.
func calendarClient(name, origin, caFile, user string, password config.Secret) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := config.CertPool(caFile)
		if err != nil {
			return nil, &Error{Source: name, Msg: err.Error(), Err: err}
		}
		tc.RootCAs = pool
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: calendarLimits.connect}).DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   calendarLimits.connect,
		ResponseHeaderTimeout: calendarLimits.answer,
		MaxIdleConnsPerHost:   2,
	}
	var rt http.RoundTripper = base
	if user != "" {
		rt = &authTransport{origin: origin, user: user, password: password.Reveal(), base: base}
	}
	return &http.Client{Transport: limitTransport{rt}, Timeout: calendarLimits.whole, CheckRedirect: noDowngrade}, nil
}

// noDowngrade follows a redirect as net/http does, but not from https to
// http, where the calendar would travel in the clear.
func noDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return errors.New("the server redirects to an address without https; rekindle does not follow")
	}
	return nil
}

// originOf is the scheme and host of a URL: where a source's credentials
// may go.
func originOf(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// authTransport logs in as the server asks: the first request goes without
// credentials; a 401 that asks for Digest turns to Digest (SabreDAV's
// servers: Baïkal, older Nextcloud), one that asks for Basic to Basic.
// A 401 once the credentials went is errRefused.
type authTransport struct {
	origin         string // originOf the source's url: the only place the login goes
	user, password string
	base           http.RoundTripper

	mu     sync.Mutex
	scheme string // "", "basic" or "digest"
	digest *digest.Transport
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != t.origin {
		return t.base.RoundTrip(req) // a redirect elsewhere: no credential
	}
	t.mu.Lock()
	scheme := t.scheme
	t.mu.Unlock()
	if scheme == "" {
		first, err := again(req)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(first)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, err
		}
		asked := strings.ToLower(strings.Join(resp.Header.Values("WWW-Authenticate"), ","))
		resp.Body.Close()
		t.mu.Lock()
		switch {
		case strings.Contains(asked, "digest"):
			t.scheme = "digest"
			t.digest = &digest.Transport{Username: t.user, Password: t.password, Transport: t.base}
		case strings.Contains(asked, "basic"):
			t.scheme = "basic"
		}
		scheme = t.scheme
		t.mu.Unlock()
		if scheme == "" {
			return nil, fmt.Errorf("%w: it asks for a way of logging in that rekindle does not know (%s)", errRefused, asked)
		}
	}
	r, err := again(req)
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	if scheme == "digest" {
		resp, err = t.digest.RoundTrip(r)
	} else {
		r.SetBasicAuth(t.user, t.password)
		resp, err = t.base.RoundTrip(r)
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		resp.Body.Close()
		return nil, errRefused
	}
	return resp, err
}

// again is a copy of req with its body to send anew.
func again(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, errors.New("a request whose body cannot be sent twice")
		}
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = b
	}
	return r, nil
}

// limitTransport cuts an answer at calendarLimits.body.
type limitTransport struct{ base http.RoundTripper }

func (l limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.ContentLength > calendarLimits.body {
		resp.Body.Close()
		return nil, errTooLarge
	}
	resp.Body = &limitedBody{rc: resp.Body, left: calendarLimits.body}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more says whether the answer ends here.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// calendarError says in plain words why reaching a calendar server
// failed, with the fix where it is clear. where names the server as it
// may be said: a CalDAV server's host, never an ics address (which is a
// password). The URL that net/http puts in its errors is left out.
func calendarError(ctx context.Context, name, where string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	whole := err
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
		if whole == ue {
			whole = err
		}
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var ne net.Error
	switch {
	case errors.Is(err, errRefused):
		return &Error{Source: name, Msg: where + ": " + err.Error(),
			Fix: "check username and password; iCloud and Fastmail want an app-specific password", Err: err}
	case errors.Is(err, errTooLarge):
		return &Error{Source: name, Msg: where + ": " + err.Error() + fmt.Sprintf(" (%d MB)", calendarLimits.body>>20), Err: err}
	case errors.As(err, &unknown), errors.As(err, &invalid):
		return &Error{Source: name, Msg: "the certificate of " + where + " does not verify: " + err.Error(),
			Fix: "for your own server, set ca_file to the certificate authority that signed it", Err: err}
	case errors.As(err, &host):
		return &Error{Source: name, Msg: "the certificate of " + where + " is for another name: " + err.Error(),
			Fix: "write url with the name on the certificate", Err: err}
	case errors.As(err, &ne) && ne.Timeout():
		return &Error{Source: name, Msg: "no answer in time from " + where,
			Fix: "the server may be down or overloaded; rekindle tries again later", Err: err}
	}
	return &Error{Source: name, Msg: "cannot read the calendar at " + where + ": " + whole.Error(), Err: err}
}
