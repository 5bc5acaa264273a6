package addressbook

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// book is one address book on the server.
type book struct {
	URL  *url.URL
	Name string // its display name, else the last part of its path
}

func (b *book) Key() string { return key(b.URL) }

const findProps = `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop>
<D:resourcetype/><D:displayname/><D:current-user-principal/><C:addressbook-home-set/>
</D:prop></D:propfind>`

// books finds the address books: from the bare host through
// /.well-known/carddav to the user's principal, its address book home and
// the books in it (RFC 6764, RFC 6352); from an address book's own URL, that
// one. Those that books = [...] does not name are left out.
func (c *client) books(ctx context.Context, want []string) ([]book, error) {
	start := c.base
	if start.Path == "" || start.Path == "/" {
		wk, _ := start.Parse("/.well-known/carddav")
		ms, at, status, err := c.multistatusOf(ctx, "PROPFIND", wk, "0", findProps)
		switch {
		case err == nil:
			return c.fromStart(ctx, ms, at, want)
		case status == 0 || status == http.StatusUnauthorized:
			return nil, err // cannot reach it, or the login was refused
		}
		// No well-known address: the root itself.
		root, _ := start.Parse("/")
		start = root
	}
	ms, at, _, err := c.multistatusOf(ctx, "PROPFIND", start, "0", findProps)
	if err != nil {
		return nil, err
	}
	return c.fromStart(ctx, ms, at, want)
}

// fromStart goes on from the first answer: an address book, or where the
// user's address books are.
func (c *client) fromStart(ctx context.Context, ms *multistatus, at *url.URL, want []string) ([]book, error) {
	var p prop
	if len(ms.Responses) > 0 {
		p = ms.Responses[0].ok()
	}
	if p.ResourceType.AddressBook != nil {
		return c.keep([]book{{URL: at, Name: nameOf(at, p.DisplayName)}}, want)
	}
	home := at
	switch {
	case len(p.HomeSet.Href) > 0:
		home, _ = resolve(at, p.HomeSet.Href[0])
	case len(p.Principal.Href) > 0:
		principal, err := resolve(at, p.Principal.Href[0])
		if err != nil {
			return nil, &Error{Source: c.source, Msg: fmt.Sprintf("%s names the user's principal as %q, which is no address", host(at), p.Principal.Href[0])}
		}
		pms, pat, _, err := c.multistatusOf(ctx, "PROPFIND", principal, "0", findProps)
		if err != nil {
			return nil, err
		}
		if len(pms.Responses) > 0 {
			if hs := pms.Responses[0].ok().HomeSet.Href; len(hs) > 0 {
				home, _ = resolve(pat, hs[0])
				break
			}
		}
		home = pat
	}
	if home == nil {
		return nil, &Error{Source: c.source, Msg: host(at) + " gives an address book home that is no address"}
	}
	hms, hat, _, err := c.multistatusOf(ctx, "PROPFIND", home, "1", findProps)
	if err != nil {
		return nil, err
	}
	var found []book
	for _, r := range hms.Responses {
		rp := r.ok()
		if rp.ResourceType.AddressBook == nil {
			continue
		}
		u, err := resolve(hat, r.Href)
		if err != nil {
			continue
		}
		found = append(found, book{URL: u, Name: nameOf(u, rp.DisplayName)})
	}
	slices.SortFunc(found, func(a, b book) int { return strings.Compare(a.Name, b.Name) })
	if len(found) == 0 {
		return nil, &Error{Source: c.source, Msg: fmt.Sprintf("%s has no address book for %s under %s", host(hat), c.user, hat.Path),
			Fix: "make one on the server, or write url with the address of the address book"}
	}
	return c.keep(found, want)
}

// keep leaves the books that want names (by name or the last part of the
// path, in any case); all when want is empty. A name that matches none is
// an error that lists those there are.
func (c *client) keep(found []book, want []string) ([]book, error) {
	if len(want) == 0 {
		return found, nil
	}
	var out []book
	for _, w := range want {
		i := slices.IndexFunc(found, func(b book) bool {
			return strings.EqualFold(b.Name, w) || strings.EqualFold(path.Base(b.URL.Path), w)
		})
		if i < 0 {
			names := make([]string, len(found))
			for k, b := range found {
				names[k] = fmt.Sprintf("%q", b.Name)
			}
			return nil, &Error{Source: c.source, Msg: fmt.Sprintf("no address book %q; there are %s", w, strings.Join(names, ", ")),
				Fix: "write books with the names of the address books to read, or leave it out to read them all"}
		}
		if !slices.ContainsFunc(out, func(b book) bool { return b.Key() == found[i].Key() }) {
			out = append(out, found[i])
		}
	}
	return out, nil
}

func nameOf(u *url.URL, display string) string {
	if d := strings.TrimSpace(display); d != "" {
		return d
	}
	return path.Base(strings.TrimSuffix(u.Path, "/"))
}
