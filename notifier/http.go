package notifier

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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rekindle/rekindle/internal/redact"
)

// newHTTPClient is the client the HTTP channels share: it follows no
// redirect to another scheme or host (refuseRedirect), and every request
// is bounded by the context the channel sets.
func newHTTPClient() *http.Client {
	return &http.Client{
		CheckRedirect: refuseRedirect,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 15 * time.Second,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

// maxRedirects is as many redirects as net/http follows by default.
const maxRedirects = 10

// refuseRedirect is the CheckRedirect of every client rekindle makes: a
// redirect is followed only on the same host, by the same scheme and port
// or up from http to https. Every request of a channel carries a
// credential (a header, or a token in the URL or the body), and net/http
// would send it on: Authorization to the same host over plain http after
// a downgrade, a custom header (Rocket.Chat's X-Auth-Token) and a 307's
// body to any host, a token in the path to wherever the Location points.
func refuseRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if prev := via[len(via)-1]; !sameOrigin(prev.URL, req.URL) {
		return &RedirectError{From: origin(prev.URL), To: origin(req.URL)}
	}
	return nil
}

// sameOrigin reports whether a redirect from a to b may be followed: the
// same host name, and the same scheme and port, or an upgrade to https.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	if a.Scheme == b.Scheme {
		return a.Port() == b.Port()
	}
	return a.Scheme == "http" && b.Scheme == "https"
}

// origin is u's scheme and host, which hold no secret (a path, a query
// or a user:password may).
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// RedirectError is a redirect that rekindle did not follow, because it
// goes to another scheme or host than the channel's server. It is
// permanent: the config points at the wrong address.
type RedirectError struct {
	From, To string // scheme://host of each
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the server %s redirected to %s; rekindle sends a channel's credentials to no other scheme or host, so it did not follow", e.From, e.To)
}

// redirectGuard refuses, in a transport, the redirects refuseRedirect
// refuses: for the libraries that make their own http.Client on
// http.DefaultTransport or use http.DefaultClient (notify's mattermost
// and bark services, mautrix as notify's matrix service makes it,
// discordgo, gregdel/pushover, Rocket.Chat's SDK), which give no way to
// pass a client of ours. net/http marks a redirected request with the
// response that caused it.
type redirectGuard struct{ next http.RoundTripper }

func (g *redirectGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if prev := req.Response; prev != nil && prev.Request != nil && !sameOrigin(prev.Request.URL, req.URL) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &RedirectError{From: origin(prev.Request.URL), To: origin(req.URL)}
	}
	return g.next.RoundTrip(req)
}

// CloseIdleConnections passes on to the transport underneath, as
// http.Client.CloseIdleConnections and httptest.Server.Close expect of
// http.DefaultTransport.
func (g *redirectGuard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// The guard goes around http.DefaultTransport before any channel sends:
// the one seam those libraries leave. rekindle itself makes no request
// through it that should follow a redirect elsewhere.
func init() {
	http.DefaultTransport = &redirectGuard{next: http.DefaultTransport}
}

// httpFailure classifies an HTTP error response: 408, 429 and 5xx are
// temporary (429 and 503 with the server's Retry-After), every other 4xx
// permanent.
func httpFailure(channel string, resp *http.Response, detail string) *Error {
	e := &Error{Channel: channel, Status: resp.StatusCode}
	e.Msg = fmt.Sprintf("server answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if detail = strings.TrimSpace(detail); detail != "" {
		e.Msg += ": " + detail
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout:
		e.Retryable = true
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// readDetail reads at most 4 KiB of an error body.
func readDetail(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	return string(b)
}

// networkFailure classifies an error that got no answer from the server.
// Secrets that may be in the error text (a webhook URL) are cut out.
func networkFailure(channel string, err error, secrets ...string) *Error {
	e := &Error{Channel: channel, Retryable: true, Err: redactedError{err, secrets}}
	msg := redactAll(err.Error(), secrets)
	var verifyErr *tls.CertificateVerificationError
	var certErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	var redirect *RedirectError
	switch {
	case errors.As(err, &redirect):
		e.Retryable = false
		e.Msg = redirect.Error()
		e.Fix = "set the channel's address to the one the server redirects to, if you trust it"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Msg = "no answer within the timeout: " + msg
		e.Fix = "check that the server is reachable from this machine"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Msg = "connection refused: " + msg
		e.Fix = "is the server running, and is the port right?"
	case errors.As(err, &dnsErr):
		e.Msg = "unknown host: " + msg
		e.Fix = "check the host name"
	case errors.As(err, &verifyErr), errors.As(err, &certErr), errors.As(err, &hostErr):
		e.Retryable = false
		e.Msg = "the server's TLS certificate is not trusted: " + msg
	default:
		e.Msg = msg
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redactAll cuts every secret out of s, in every form it can take there
// (package redact): as written, escaped, in base64 alone or inside a
// longer encoded string, and for a URL (a webhook, whose path is the
// secret) in its pieces and its user:password.
func redactAll(s string, secrets []string) string {
	return redact.New(secrets...).String(s)
}

// plainAuth is what SMTP's AUTH PLAIN sends for user and password, in
// base64: a server that echoes it would show the password.
func plainAuth(user, password string) []string {
	if password == "" {
		return nil
	}
	return []string{"\x00" + user + "\x00" + password, user + "\x00" + user + "\x00" + password}
}

// redactedError keeps an error for errors.Is and errors.As while its text
// never shows the secrets.
type redactedError struct {
	err     error
	secrets []string
}

func (r redactedError) Error() string { return redactAll(r.err.Error(), r.secrets) }
func (r redactedError) Unwrap() error { return r.err }
