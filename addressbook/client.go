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
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/davhttp"
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

// limits of one exchange with the server: no bound on the wait for an
// answer but the whole request's, since a server may think for a minute
// before it answers a first read of a large book.
var limits = davhttp.Limits{
	Connect: 10 * time.Second,
	Whole:   2 * time.Minute, // a first read of a large book is one answer
	Body:    128 << 20,       // 10,000 cards are ~5 MB
	Hops:    5,               // as from /.well-known/carddav
}

// client speaks WebDAV to one server as the source's user, through
// davhttp: the login (Basic or Digest, as the server asks) only to the
// source's origin, redirects followed with the same method.
type client struct {
	source string
	base   *url.URL
	user   string
	http   *http.Client
}

func newClient(src *config.Source) (*client, error) {
	spec := src.Spec.(*config.CardDAVSpec)
	base, err := url.Parse(spec.URL)
	if err != nil {
		return nil, &Error{Source: src.Name, Msg: fmt.Sprintf("url %q cannot be read: %v", spec.URL, err)}
	}
	roots, err := config.Roots(spec.CAFile)
	if err != nil {
		return nil, &Error{Source: src.Name, Msg: err.Error(), Err: err}
	}
	hc, err := davhttp.New(davhttp.Options{URL: base, Username: spec.Username, Password: spec.Password.Reveal(), Roots: roots, Limits: limits})
	if err != nil {
		return nil, &Error{Source: src.Name, Msg: err.Error(), Err: err}
	}
	return &client{source: src.Name, base: base, user: spec.Username, http: hc}, nil
}

// do sends one request and returns the answer's status, its body (read
// whole, within limits.Body) and the address that answered (after
// redirects).
func (c *client) do(ctx context.Context, method string, u *url.URL, depth string, body []byte) (int, []byte, *url.URL, error) {
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
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, u, c.fail(u, err)
	}
	defer res.Body.Close()
	at := res.Request.URL
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, at, c.fail(at, err)
	}
	return res.StatusCode, b, at, nil
}

// fail says why the server could not be read, with the fix where it is
// clear.
func (c *client) fail(u *url.URL, err error) error {
	if msg, fix, ok := davhttp.Explain(err, host(u)); ok {
		return &Error{Source: c.source, Msg: msg, Fix: fix, Err: err}
	}
	return &Error{Source: c.source, Msg: "cannot reach " + host(u) + ": " + davhttp.Bare(err).Error(), Err: err}
}

func host(u *url.URL) string { return u.Scheme + "://" + u.Host }
