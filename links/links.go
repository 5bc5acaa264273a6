// Package links signs the narrow, expiring credentials that leave the
// machine in place of the api_token: the links in reminders that open the
// dashboard, the dashboard's session cookie, each phone button, bound to
// one person and one action, and the calendar feed's address. The web server checks them; the message
// composer puts them into reminders.
//
// A token is "EXPIRY.SIGNATURE": the expiry in Unix seconds, and an
// HMAC-SHA256 under the key of the token's scope and that expiry.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Lifetimes of what goes out.
const (
	// LinkTTL is how long a link in a reminder opens the dashboard: long
	// enough to act on the reminder, short enough that a forwarded mail
	// stops working.
	LinkTTL = 7 * 24 * time.Hour
	// ActionTTL is how long a phone button works: enough to act on a
	// reminder (the next one brings fresh buttons), short enough that a
	// leaked notification soon does nothing.
	ActionTTL = 72 * time.Hour
	// CalendarTTL is how long a calendar subscription link reads the
	// feed: a calendar app polls it for as long as it is subscribed, so a
	// year, after which `rekindle calendar-link` makes a new one.
	CalendarTTL = 365 * 24 * time.Hour
)

// Sign makes a token for scope that expires at exp.
func Sign(key []byte, scope string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(scope + "\x00" + e))
	return e + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a token made by Sign for scope, and that it has not expired
// at now.
func Verify(key []byte, scope, token string, now time.Time) bool {
	e, _, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || now.Unix() > exp {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(Sign(key, scope, time.Unix(exp, 0)))) == 1
}

// Dashboard is a signed link to path under publicURL.
func Dashboard(publicURL string, key []byte, path string, exp time.Time) string {
	return publicURL + path + "?t=" + url.QueryEscape(Sign(key, "link", exp))
}

// Person is a signed link to the page of the person with this id.
func Person(publicURL string, key []byte, id string, exp time.Time) string {
	return Dashboard(publicURL, key, "/people/"+url.PathEscape(id), exp)
}

// CalendarScope is what a calendar link's credential is bound to: reading
// the calendar feed, nothing else.
const CalendarScope = "calendar"

// Calendar is the address a calendar app subscribes to: the feed of the
// plan, readable with this link alone until exp.
func Calendar(publicURL string, key []byte, exp time.Time) string {
	return publicURL + "/calendar.ics?t=" + url.QueryEscape(Sign(key, CalendarScope, exp))
}

// ActionScope is what a phone button's credential is bound to: one person
// and one action.
func ActionScope(id, action string) string { return "act\x00" + id + "\x00" + action }

// Action is the URL a phone button posts to, and the credential it carries,
// for person id and action (reached-out, talked, snooze-3d).
func Action(publicURL string, key []byte, id, action string, exp time.Time) (postURL, credential string) {
	return publicURL + "/act/" + url.PathEscape(id) + "/" + action, Sign(key, ActionScope(id, action), exp)
}
