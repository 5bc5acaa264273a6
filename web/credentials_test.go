package web

import (
	"net/url"
	"time"

	"github.com/rekindle/rekindle/links"
)

// The credentials the tests of access_test.go use, made as rekindle makes
// them: a reminder's link, a calendar link, a phone button.

// personLink is the link a reminder composed at the fixture's now carries.
func (f *fixture) personLink(id string) string {
	return links.Person(f.cfg.PublicURL, []byte(token), id, f.now)
}

// personLinkUntil is a person's link signed to expire at exp.
func (f *fixture) personLinkUntil(id string, exp time.Time) string {
	return f.cfg.PublicURL + "/people/" + id + "?t=" + url.QueryEscape(links.PersonLink(id).Sign([]byte(token), exp))
}

// calendarLink is what `rekindle calendar-link` prints at the fixture's now.
func (f *fixture) calendarLink() string {
	return links.Calendar(f.cfg.PublicURL, []byte(token), f.now)
}

// calendarLinkUntil is a calendar link signed to expire at exp.
func (f *fixture) calendarLinkUntil(exp time.Time) string {
	return f.cfg.PublicURL + "/calendar.ics?t=" + url.QueryEscape(links.CalendarFeed.Sign([]byte(token), exp))
}

// button is a phone button of the notification that nonce names.
func (f *fixture) button(id, action, nonce string) (postURL, credential string) {
	return links.Action(f.cfg.PublicURL, []byte(token), id, action, nonce, f.now)
}

// buttonUntil is a phone button signed to expire at exp.
func (f *fixture) buttonUntil(id, action string, exp time.Time) (postURL, credential string) {
	scope := func(n string) links.Scope { return links.Button(id, action, n) }
	return f.cfg.PublicURL + "/act/" + id + "/" + action, links.SignOnce([]byte(token), scope, "N", exp)
}

// sessionUntil is the cookie of a browser signed in to everything until
// exp.
func (f *fixture) sessionUntil(exp time.Time) string {
	return links.Everything.Sign([]byte(token), exp)
}

// signInLink is what `rekindle dashboard-link` prints at now.
func (f *fixture) signInLink(now time.Time) string {
	return links.SignInLink(f.cfg.PublicURL, []byte(token), now)
}
