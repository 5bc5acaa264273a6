// Package davhttp is the HTTP client of a source that reads a server:
// CardDAV address books, CalDAV calendars, calendars at an ics address.
// It keeps the rules every such read shares, so that each source keeps
// only what is its own:
//
//   - the login goes only to the origin of the source's url (its scheme,
//     host and port), and only once the server has asked for it: Basic,
//     or Digest (RFC 7616, through icholy/digest) where the server offers
//     it, so that a Digest server never sees the password;
//   - a redirect is followed with the same method and body (a PROPFIND
//     stays a PROPFIND), a few times at most, never from https to http;
//     one to another origin carries no credential;
//   - every answer is cut at a bound, every exchange at a time;
//   - a ca_file is trusted beside the system's authorities.
//
// Explain says a failure in words for the person who set the source up,
// with the fix, for the source's own error (with a Hint, internal/hint).
package davhttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits bound one exchange with the server.
type Limits struct {
	Connect time.Duration // the connection and its TLS handshake
	Answer  time.Duration // from the request sent to the answer's headers; 0: no bound but Whole
	Whole   time.Duration // a request whole: redirects, login, the answer's body
	Body    int64         // bytes of one answer
	Hops    int           // redirects followed for one request
}

// Options is what the client of one source is made of.
type Options struct {
	// URL is the source's address: the login goes only to its origin.
	// It may be nil when there is no login (an ics address).
	URL      *url.URL
	Username string         // "": no login
	Password string         // the caller's secret, revealed for the login alone
	Roots    *x509.CertPool // the authorities trusted (config.Roots); nil: the system's
	Limits   Limits
}

// New makes the client of one source. Its redirects are followed by its
// transport (the client's own CheckRedirect never sees one), so that a
// WebDAV method survives them; the answer's Request is the last one sent,
// whose URL is the address that answered.
func New(o Options) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.Roots}
	// A transport of its own: http.DefaultTransport may be wrapped by
	// another part of the program.
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: o.Limits.Connect}).DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   o.Limits.Connect,
		ResponseHeaderTimeout: o.Limits.Answer,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	var rt http.RoundTripper = bounded{base: base, max: o.Limits.Body}
	if o.Username != "" {
		if o.URL == nil || o.URL.Host == "" {
			return nil, errors.New("a login needs the server's address")
		}
		rt = &login{url: o.URL, origin: originOf(o.URL), home: o.URL.Scheme + "://" + o.URL.Host, user: o.Username, password: o.Password, base: rt}
	}
	return &http.Client{
		Transport: &follow{next: rt, hops: o.Limits.Hops, idle: base},
		Timeout:   o.Limits.Whole,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // follow has followed what it may
		},
	}, nil
}

// originOf is where a URL's request goes: scheme, host and port (the
// scheme's own when none is written), in lower case.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
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

// discard reads what is left of an answer not given to the caller (a
// little of it, for the connection to be used again) and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// errDowngrade is a redirect from https to http: the login and what the
// server sends would travel in the clear.
var errDowngrade = errors.New("redirects to an address without https; rekindle does not follow")

// redirectsError is a request sent elsewhere more than Limits.Hops times.
type redirectsError struct{ hops int }

func (e *redirectsError) Error() string {
	return fmt.Sprintf("redirects more than %d times; rekindle stops there", e.hops)
}

// follow follows redirects as WebDAV wants them: with the same method and
// body, where net/http would turn a PROPFIND into a GET. Below it, the
// login goes to each address only if that is the source's origin.
type follow struct {
	next http.RoundTripper
	hops int
	idle *http.Transport
}

func (f *follow) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req
	for hop := 0; ; hop++ {
		resp, err := f.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, nil
		}
		loc, err := r.URL.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			return resp, nil // nowhere to go: the answer as it is
		}
		discard(resp)
		if hop >= f.hops {
			return nil, &redirectsError{f.hops}
		}
		if r.URL.Scheme == "https" && loc.Scheme != "https" {
			return nil, errDowngrade
		}
		next, err := again(req)
		if err != nil {
			return nil, err
		}
		next.URL, next.Host = loc, ""
		r = next
	}
}

// CloseIdleConnections lets the client's own close the connections kept.
func (f *follow) CloseIdleConnections() { f.idle.CloseIdleConnections() }

// ErrTooLarge is an answer longer than Limits.Body.
var ErrTooLarge = errors.New("the server's answer is larger than rekindle reads")

type tooLarge struct{ max int64 }

func (e tooLarge) Error() string {
	if e.max >= 1<<20 {
		return fmt.Sprintf("%v (%d MB)", ErrTooLarge, e.max>>20)
	}
	return fmt.Sprintf("%v (%d KB)", ErrTooLarge, e.max>>10)
}

func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// bounded cuts an answer at max bytes: one said to be longer is refused
// before it is read, one longer than it says fails at the byte after max.
type bounded struct {
	base http.RoundTripper
	max  int64
}

func (b bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > b.max {
		resp.Body.Close()
		return nil, tooLarge{b.max}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: b.max, max: b.max}
	return resp, nil
}

type limitedBody struct {
	rc        io.ReadCloser
	left, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more says whether the answer ends here.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, tooLarge{b.max}
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
