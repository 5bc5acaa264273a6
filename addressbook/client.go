// Package addressbook reads the people of an address book on a CardDAV
// server (a [sources.NAME] of type "carddav"): it finds the address books
// from the bare host, reads their cards (all at first, then what changed,
// by sync-collection where the server keeps sync tokens and by ETags where
// it does not), maps each card to a person as `rekindle import` does, and
// keeps them in the state file, where every command takes them from
// (Load). It never writes to the server.
package addressbook

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rekindle/rekindle/config"
)

// Error is a failure to read an address book source, in words for the
// person who set it up, with the fix where there is one (Hint). It never
// holds the password.
type Error struct {
	Source string
	Msg    string
	Fix    string
	Err    error
}

func (e *Error) Error() string { return "address book " + e.Source + ": " + e.Msg }
func (e *Error) Hint() string  { return e.Fix }
func (e *Error) Unwrap() error { return e.Err }

// Limits of one exchange with the server.
const (
	requestTimeout = 2 * time.Minute // a first read of a large book is one answer
	maxAnswer      = 128 << 20       // bytes of one answer: 10,000 cards are ~5 MB
	maxHops        = 5               // redirects followed, as from /.well-known/carddav
)

// client speaks WebDAV to one server as the source's user: Basic or
// Digest, whichever the server asks for, and redirects followed with the
// same method (Go's own would turn a PROPFIND into a GET).
type client struct {
	source string
	base   *url.URL
	user   string
	pass   config.Secret
	http   *http.Client

	mu     sync.Mutex
	scheme string  // "basic" or "digest", once the server has asked
	dig    *digest // the server's last Digest challenge
}

func newClient(src *config.Source) (*client, error) {
	spec := src.Spec.(*config.CardDAVSpec)
	base, err := url.Parse(spec.URL)
	if err != nil {
		return nil, &Error{Source: src.Name, Msg: fmt.Sprintf("url %q cannot be read: %v", spec.URL, err)}
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if spec.CAFile != "" {
		pool, err := config.CertPool(spec.CAFile)
		if err != nil {
			return nil, &Error{Source: src.Name, Msg: err.Error(), Err: err}
		}
		tc.RootCAs = pool
	}
	// A transport of its own: http.DefaultTransport may be wrapped by
	// another part of the program.
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{
		source: src.Name, base: base, user: spec.Username, pass: spec.Password,
		http: &http.Client{
			Transport: tr,
			Timeout:   requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // do follows them itself
			},
		},
	}, nil
}

// do sends one request and returns the answer's status, its body (read
// whole, within maxAnswer) and the address that answered (after
// redirects).
func (c *client) do(ctx context.Context, method string, u *url.URL, depth string, body []byte) (int, []byte, *url.URL, error) {
	authTried := false
	for hop := 0; ; {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return 0, nil, u, &Error{Source: c.source, Msg: err.Error(), Err: err}
		}
		if depth != "" {
			req.Header.Set("Depth", depth)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		}
		c.authorize(req)
		res, err := c.http.Do(req)
		if err != nil {
			return 0, nil, u, c.reachError(u, err)
		}
		b, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
		res.Body.Close()
		if err != nil {
			return 0, nil, u, c.reachError(u, err)
		}
		if len(b) > maxAnswer {
			return 0, nil, u, &Error{Source: c.source, Msg: fmt.Sprintf("%s answered with more than %d MB", host(u), maxAnswer>>20)}
		}
		switch res.StatusCode {
		case http.StatusUnauthorized:
			if authTried || !c.challenged(res.Header.Values("WWW-Authenticate")) {
				return 0, nil, u, &Error{Source: c.source,
					Msg: fmt.Sprintf("%s refused the login of %s", host(u), c.user),
					Fix: "check username and password (for iCloud, an app-specific password from account.apple.com)"}
			}
			authTried = true
			continue
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc, err := u.Parse(res.Header.Get("Location"))
			if hop++; err != nil || hop > maxHops || res.Header.Get("Location") == "" {
				return res.StatusCode, b, u, &Error{Source: c.source, Msg: fmt.Sprintf("%s sends %s elsewhere too many times, or nowhere", host(u), u.Path)}
			}
			if u.Scheme == "https" && loc.Scheme != "https" {
				// The login would go out in the clear.
				return res.StatusCode, b, u, &Error{Source: c.source, Msg: fmt.Sprintf("%s sends %s to %s, without TLS; not followed", host(u), u.Path, host(loc))}
			}
			u = loc
			continue
		}
		return res.StatusCode, b, u, nil
	}
}

// reachError says why the server could not be reached, with the fix for
// a certificate this machine does not trust.
func (c *client) reachError(u *url.URL, err error) error {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &unknown), errors.As(err, &invalid):
		return &Error{Source: c.source, Msg: "the certificate of " + host(u) + " does not verify: " + err.Error(),
			Fix: "for your own server, set ca_file to the certificate authority that signed it", Err: err}
	case errors.As(err, &hostErr):
		return &Error{Source: c.source, Msg: "the certificate of " + host(u) + " is for another name: " + err.Error(),
			Fix: "write url with the name on the certificate", Err: err}
	}
	return &Error{Source: c.source, Msg: "cannot reach " + host(u) + ": " + err.Error(), Err: err}
}

func host(u *url.URL) string { return u.Scheme + "://" + u.Host }

// authorize adds the login the server asked for; none before it asks, so
// that a Digest server never sees the password in Basic.
func (c *client) authorize(req *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.scheme {
	case "basic":
		req.SetBasicAuth(c.user, c.pass.Reveal())
	case "digest":
		req.Header.Set("Authorization", c.dig.authorization(req.Method, req.URL.RequestURI(), c.user, c.pass.Reveal()))
	}
}

// challenged reads the schemes of a 401 and takes Digest where offered,
// else Basic; false when it offers neither.
func (c *client) challenged(headers []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	var basic bool
	for _, h := range headers {
		scheme, params, _ := strings.Cut(strings.TrimSpace(h), " ")
		switch strings.ToLower(scheme) {
		case "digest":
			d := parseDigest(params)
			if d.hash() == nil {
				continue // an algorithm not known here
			}
			c.scheme, c.dig = "digest", d
			return true
		case "basic":
			basic = true
		}
	}
	if basic {
		c.scheme = "basic"
	}
	return basic
}

// digest is a server's Digest challenge (RFC 7616) and the count of the
// requests answered with its nonce.
type digest struct {
	realm, nonce, opaque, algorithm string
	qopAuth                         bool
	nc                              int
}

func parseDigest(params string) *digest {
	d := &digest{algorithm: "MD5"}
	for params != "" {
		var kv string
		kv, params = cutParam(params)
		k, v, _ := strings.Cut(kv, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
		switch k {
		case "realm":
			d.realm = v
		case "nonce":
			d.nonce = v
		case "opaque":
			d.opaque = v
		case "algorithm":
			d.algorithm = v
		case "qop":
			for _, q := range strings.Split(v, ",") {
				d.qopAuth = d.qopAuth || strings.TrimSpace(q) == "auth"
			}
		}
	}
	return d
}

// cutParam cuts the first name=value of a challenge, with a quoted value
// that may hold commas.
func cutParam(s string) (string, string) {
	quoted := false
	for i, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func (d *digest) hash() func() hash.Hash {
	switch strings.ToUpper(strings.TrimSuffix(strings.ToUpper(d.algorithm), "-SESS")) {
	case "MD5":
		return md5.New
	case "SHA-256":
		return sha256.New
	}
	return nil
}

func (d *digest) authorization(method, uri, user, pass string) string {
	h := d.hash()
	sum := func(parts ...string) string {
		x := h()
		io.WriteString(x, strings.Join(parts, ":"))
		return hex.EncodeToString(x.Sum(nil))
	}
	d.nc++
	nc := fmt.Sprintf("%08x", d.nc)
	cnonce := rand.Text()
	ha1 := sum(user, d.realm, pass)
	if strings.HasSuffix(strings.ToUpper(d.algorithm), "-SESS") {
		ha1 = sum(ha1, d.nonce, cnonce)
	}
	ha2 := sum(method, uri)
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username=%q, realm=%q, nonce=%q, uri=%q, algorithm=%s`, user, d.realm, d.nonce, uri, d.algorithm)
	if d.qopAuth {
		fmt.Fprintf(&b, `, qop=auth, nc=%s, cnonce=%q, response=%q`, nc, cnonce, sum(ha1, d.nonce, nc, cnonce, "auth", ha2))
	} else {
		fmt.Fprintf(&b, `, response=%q`, sum(ha1, d.nonce, ha2))
	}
	if d.opaque != "" {
		fmt.Fprintf(&b, `, opaque=%q`, d.opaque)
	}
	return b.String()
}
