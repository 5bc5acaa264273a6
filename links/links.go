// Package links signs the narrow, expiring credentials that leave the
// machine in place of the api_token, and the sessions the dashboard keeps
// in a cookie. Each is bound to a Scope: what it opens, and the longest it
// may be signed for.
//
//   - a person link (in a reminder) opens one person's page and gives a
//     session for that person alone, which ends when the link does;
//   - a phone button does one action for one person, once per notification;
//   - a calendar link reads the calendar feed and nothing else;
//   - a calls credential (`rekindle calls-link`) tells of the phone's calls
//     and texts (POST /api/calls) and does nothing else: it reads nothing;
//   - a sign-in link (`rekindle dashboard-link`) opens the whole dashboard,
//     once, within minutes; so does the api_token pasted into /login.
//
// No credential that leaves the machine opens the whole dashboard, and none
// renews itself. The web server checks them; the message composer and the
// command line make them.
//
// A token is "EXPIRY.SIGNATURE": the expiry in Unix seconds, and an
// HMAC-SHA256 under the key of the scope and that expiry. A credential
// that may be used once carries a nonce in front, "NONCE.EXPIRY.SIGNATURE",
// and the nonce is part of its scope.
package links

import (
	"crypto/hmac"
	"crypto/rand"
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
	// LinkTTL is how long a link in a reminder opens the person's page:
	// long enough to act on the reminder, short enough that a forwarded
	// mail stops working.
	LinkTTL = 7 * 24 * time.Hour
	// ActionTTL is how long a phone button works: enough to act on a
	// reminder (the next one brings fresh buttons), short enough that a
	// leaked notification soon does nothing.
	ActionTTL = 72 * time.Hour
	// CalendarTTL is how long a calendar subscription link reads the
	// feed: a calendar app polls it for as long as it is subscribed, so a
	// year, after which `rekindle calendar-link` makes a new one.
	CalendarTTL = 365 * 24 * time.Hour
	// CallsTTL is how long the credential of a phone's automation
	// (`rekindle calls-link`) tells of calls and texts: the automation
	// keeps it for as long as it runs, so a year, like a calendar link.
	CallsTTL = 365 * 24 * time.Hour
	// SessionTTL is how long a browser signed in to the whole dashboard
	// stays signed in.
	SessionTTL = 7 * 24 * time.Hour
	// SignInTTL is how long a sign-in link from `rekindle dashboard-link`
	// works: long enough to open it, too short to leave lying around.
	SignInTTL = 10 * time.Minute
	// Slack is how far beyond its scope's lifetime a credential's expiry
	// may lie ahead of the clock that checks it: the clock may have been
	// set back a little since it was signed, and no more. A credential
	// signed while the clock was far ahead (or one that claims to last
	// for ever) is refused: its lifetime counts from the real clock.
	Slack = 5 * time.Minute
)

// A Scope is what a credential opens, and the longest it may be signed for.
type Scope struct {
	name string
	ttl  time.Duration
}

// TTL is the longest a credential of this scope may be signed for.
func (s Scope) TTL() time.Duration { return s.ttl }

// PersonLink is a reminder's link to one person's page.
func PersonLink(id string) Scope { return Scope{"link\x00person\x00" + id, LinkTTL} }

// PersonSession is the session a person link gives: that person's page and
// that person's changes, nothing else. It ends when the link that gave it
// does, so it lives no longer than LinkTTL.
func PersonSession(id string) Scope { return Scope{"session\x00person\x00" + id, LinkTTL} }

// Everything is the session of a browser signed in with the api_token (or
// a sign-in link): the whole dashboard, with changes.
var Everything = Scope{"session\x00all", SessionTTL}

// CalendarFeed is a calendar link: reading the calendar feed, nothing else.
var CalendarFeed = Scope{"calendar", CalendarTTL}

// Calls is the credential of a phone's automation (Tasker, MacroDroid,
// Shortcuts): telling of calls and texts, nothing else. It reads no one's
// status, notes or history; its answer says only whose a number it told
// of is (the id, so that a task's owner sees it counted for the right
// person) or why it counted for no one.
var Calls = Scope{"calls", CallsTTL}

// Button is a phone button: one action for one person, from one
// notification (nonce).
func Button(id, action, nonce string) Scope {
	return Scope{"act\x00" + id + "\x00" + action + "\x00" + nonce, ActionTTL}
}

// SignIn is a sign-in link to the whole dashboard, good once.
func SignIn(nonce string) Scope { return Scope{"signin\x00" + nonce, SignInTTL} }

// Sign makes a token for the scope that expires at exp.
func (s Scope) Sign(key []byte, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s.name + "\x00" + e))
	return e + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a token made by Sign for the scope at now: signed under
// key, not expired, and not expiring further ahead than the scope's
// lifetime (and Slack) allows. It returns the token's expiry.
func (s Scope) Verify(key []byte, token string, now time.Time) (time.Time, bool) {
	e, _, ok := strings.Cut(token, ".")
	if !ok {
		return time.Time{}, false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || now.Unix() > exp || exp > now.Add(s.ttl+Slack).Unix() {
		return time.Time{}, false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.Sign(key, time.Unix(exp, 0)))) != 1 {
		return time.Time{}, false
	}
	return time.Unix(exp, 0), true
}

// NewNonce is a fresh random nonce for a credential good once: 128 bits,
// in characters a URL and a header carry as they are.
func NewNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignOnce makes a credential good once: the nonce, then a token for the
// scope that nonce names.
func SignOnce(key []byte, scope func(nonce string) Scope, nonce string, exp time.Time) string {
	return nonce + "." + scope(nonce).Sign(key, exp)
}

// VerifyOnce checks a credential made by SignOnce and returns its nonce
// and expiry. That it was not used before is for the caller to check.
func VerifyOnce(key []byte, scope func(nonce string) Scope, cred string, now time.Time) (nonce string, exp time.Time, ok bool) {
	nonce, token, found := strings.Cut(cred, ".")
	if !found || nonce == "" {
		return "", time.Time{}, false
	}
	exp, ok = scope(nonce).Verify(key, token, now)
	return nonce, exp, ok
}

// Person is the signed link to the page of the person with this id, good
// for LinkTTL from now (the real clock, never a run's time).
func Person(publicURL string, key []byte, id string, now time.Time) string {
	return PersonPage(publicURL, id) + "?t=" + url.QueryEscape(PersonLink(id).Sign(key, now.Add(LinkTTL)))
}

// PersonPage is the address of a person's page, with no credential: it
// opens for a browser signed in to the dashboard.
func PersonPage(publicURL, id string) string {
	return publicURL + "/people/" + url.PathEscape(id)
}

// Calendar is the address a calendar app subscribes to: the feed of the
// plan, readable with this link alone for CalendarTTL from now.
func Calendar(publicURL string, key []byte, now time.Time) string {
	return publicURL + "/calendar.ics?t=" + url.QueryEscape(CalendarFeed.Sign(key, now.Add(CalendarTTL)))
}

// CallsHook is the address a phone's automation posts its calls and texts
// to, and the credential it sends as a bearer token, good for CallsTTL
// from now.
func CallsHook(publicURL string, key []byte, now time.Time) (postURL, credential string) {
	return publicURL + "/api/calls", Calls.Sign(key, now.Add(CallsTTL))
}

// Action is the URL a phone button posts to, and the credential it carries,
// for person id and action (reached-out, talked, snooze-3d) from the
// notification that nonce names, good for ActionTTL from now.
func Action(publicURL string, key []byte, id, action, nonce string, now time.Time) (postURL, credential string) {
	scope := func(n string) Scope { return Button(id, action, n) }
	return publicURL + "/act/" + url.PathEscape(id) + "/" + action, SignOnce(key, scope, nonce, now.Add(ActionTTL))
}

// SignInLink is a link that signs a browser in to the whole dashboard at
// base (public_url, or the listen address), once, within SignInTTL of now.
func SignInLink(base string, key []byte, now time.Time) string {
	return base + "/login?t=" + url.QueryEscape(SignOnce(key, SignIn, NewNonce(), now.Add(SignInTTL)))
}
