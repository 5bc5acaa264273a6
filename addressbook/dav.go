package addressbook

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The parts of a WebDAV multistatus answer rekindle reads.
type multistatus struct {
	Responses []response `xml:"DAV: response"`
	SyncToken string     `xml:"DAV: sync-token"`
}

type response struct {
	Href     string     `xml:"DAV: href"`
	Status   string     `xml:"DAV: status"`
	Propstat []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Prop   prop   `xml:"DAV: prop"`
	Status string `xml:"DAV: status"`
}

type prop struct {
	ResourceType struct {
		AddressBook *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
	} `xml:"DAV: resourcetype"`
	DisplayName string `xml:"DAV: displayname"`
	ETag        string `xml:"DAV: getetag"`
	Principal   hrefs  `xml:"DAV: current-user-principal"`
	HomeSet     hrefs  `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
	AddressData string `xml:"urn:ietf:params:xml:ns:carddav address-data"`
	SyncToken   string `xml:"DAV: sync-token"`
}

type hrefs struct {
	Href []string `xml:"DAV: href"`
}

// ok is the response's properties that were found (a propstat of 200).
func (r *response) ok() prop {
	var out prop
	for _, ps := range r.Propstat {
		if !statusOK(ps.Status) {
			continue
		}
		p := ps.Prop
		if p.ResourceType.AddressBook != nil {
			out.ResourceType = p.ResourceType
		}
		out.DisplayName = first(out.DisplayName, p.DisplayName)
		out.ETag = first(out.ETag, p.ETag)
		out.AddressData = first(out.AddressData, p.AddressData)
		out.SyncToken = first(out.SyncToken, p.SyncToken)
		out.Principal.Href = append(out.Principal.Href, p.Principal.Href...)
		out.HomeSet.Href = append(out.HomeSet.Href, p.HomeSet.Href...)
	}
	return out
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// statusOK reads "HTTP/1.1 200 OK"; a missing status is taken as found.
func statusOK(s string) bool {
	f := strings.Fields(s)
	return len(f) < 2 || f[1] == "200"
}

// statusNotFound reads a response's own status of 404: a card removed
// (sync-collection) or never there (multiget).
func statusNotFound(s string) bool {
	f := strings.Fields(s)
	return len(f) >= 2 && f[1] == "404"
}

const xmlHead = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// multistatusOf sends a PROPFIND or REPORT and reads its multistatus.
func (c *client) multistatusOf(ctx context.Context, method string, u *url.URL, depth, body string) (*multistatus, *url.URL, int, error) {
	status, b, at, err := c.do(ctx, method, u, depth, []byte(xmlHead+body))
	if err != nil {
		return nil, at, status, err
	}
	if status != http.StatusMultiStatus {
		return nil, at, status, &Error{Source: c.source, Msg: fmt.Sprintf("%s answered %s %s with %d %s", host(at), method, at.Path, status, http.StatusText(status))}
	}
	var ms multistatus
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&ms); err != nil {
		return nil, at, status, &Error{Source: c.source, Msg: fmt.Sprintf("%s answered %s %s with XML that cannot be read: %v", host(at), method, at.Path, err)}
	}
	return &ms, at, status, nil
}

// resolve makes an href of an answer an address, against the address that
// answered.
func resolve(at *url.URL, href string) (*url.URL, error) {
	return at.Parse(strings.TrimSpace(href))
}

// key is how a card or a book is named in the state file: its path,
// unescaped, so that two escapes of one name agree.
func key(u *url.URL) string { return u.Path }
