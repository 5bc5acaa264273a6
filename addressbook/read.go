package addressbook

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// fetched is one card as the server gave it; Data is "" when the server
// named the card without its text (it is fetched then).
type fetched struct {
	Href, ETag, Data string
}

// errNoSync is a book that does not answer sync-collection: it is read by
// comparing ETags.
var errNoSync = errors.New("the address book does not answer sync-collection")

// errBadToken is a sync token the server no longer knows: the book is read
// whole again.
var errBadToken = errors.New("the server no longer knows the sync token")

// changedSince reads what changed in a book since token ("" for all its
// cards): the cards changed (with their text where the server gives it
// in the same answer) and those removed, and the new token.
func (c *client) changedSince(ctx context.Context, b book, token string) (changed []fetched, removed []string, next string, err error) {
	for round := 0; ; round++ {
		body := fmt.Sprintf(`<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>
<D:prop><D:getetag/><C:address-data/></D:prop></D:sync-collection>`, escape(token))
		ms, at, status, err := c.multistatusOf(ctx, "REPORT", b.URL, "0", body)
		switch {
		case err == nil:
		case status == http.StatusUnauthorized || status == 0:
			return nil, nil, "", err
		case token != "" && (status == http.StatusForbidden || status == http.StatusConflict || status == http.StatusPreconditionFailed):
			return nil, nil, "", errBadToken
		default:
			return nil, nil, "", errNoSync
		}
		if ms.SyncToken == "" {
			return nil, nil, "", errNoSync
		}
		truncated := false
		for _, r := range ms.Responses {
			u, err := resolve(at, r.Href)
			if err != nil {
				continue
			}
			if key(u) == b.Key() || strings.TrimSuffix(key(u), "/") == strings.TrimSuffix(b.Key(), "/") {
				// The book itself: 507 says the answer was cut short
				// and goes on from the token it gives.
				truncated = truncated || strings.Contains(r.Status, " 507")
				continue
			}
			if statusNotFound(r.Status) {
				removed = append(removed, key(u))
				continue
			}
			p := r.ok()
			changed = append(changed, fetched{Href: key(u), ETag: p.ETag, Data: p.AddressData})
		}
		next, token = ms.SyncToken, ms.SyncToken
		if !truncated || round >= 1000 {
			return changed, removed, next, nil
		}
	}
}

// etags lists the cards of a book with their ETags.
func (c *client) etags(ctx context.Context, b book) (map[string]string, error) {
	ms, at, _, err := c.multistatusOf(ctx, "PROPFIND", b.URL, "1",
		`<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range ms.Responses {
		u, err := resolve(at, r.Href)
		if err != nil || strings.TrimSuffix(key(u), "/") == strings.TrimSuffix(b.Key(), "/") {
			continue
		}
		if p := r.ok(); p.ETag != "" {
			out[key(u)] = p.ETag
		}
	}
	return out, nil
}

// multigetBatch is how many cards one addressbook-multiget asks for.
const multigetBatch = 500

// multiget fetches the text of cards, in batches; a card gone in
// between is left out.
func (c *client) multiget(ctx context.Context, b book, hrefs []string) ([]fetched, error) {
	var out []fetched
	for len(hrefs) > 0 {
		n := min(len(hrefs), multigetBatch)
		var body strings.Builder
		body.WriteString(`<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>`)
		for _, h := range hrefs[:n] {
			body.WriteString("<D:href>" + escape((&url.URL{Path: h}).EscapedPath()) + "</D:href>")
		}
		body.WriteString(`</C:addressbook-multiget>`)
		hrefs = hrefs[n:]
		ms, at, _, err := c.multistatusOf(ctx, "REPORT", b.URL, "1", body.String())
		if err != nil {
			return nil, err
		}
		for _, r := range ms.Responses {
			u, err := resolve(at, r.Href)
			if err != nil || statusNotFound(r.Status) {
				continue
			}
			p := r.ok()
			if p.AddressData != "" {
				out = append(out, fetched{Href: key(u), ETag: p.ETag, Data: p.AddressData})
			}
		}
	}
	return out, nil
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
