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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rekindle/rekindle/internal/redact"
)

// newHTTPClient is the client the HTTP channels share: no redirects to
// other hosts carry credentials (net/http drops Authorization on those), and
// every request is bounded by the context the channel sets.
func newHTTPClient() *http.Client {
	return &http.Client{
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
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Msg = "no answer within the timeout: " + msg
		e.Hint = "check that the server is reachable from this machine"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Msg = "connection refused: " + msg
		e.Hint = "is the server running, and is the port right?"
	case errors.As(err, &dnsErr):
		e.Msg = "unknown host: " + msg
		e.Hint = "check the host name"
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
