package notifier

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

// Link is a link a message carries (email and Slack show them).
type Link struct {
	Label string
	URL   string
}

// SignToken makes an expiring token for scope: "EXPIRY.SIGNATURE", the
// signature an HMAC-SHA256 of the scope and the expiry under key. The
// dashboard's sessions and the links in reminders are such tokens.
func SignToken(key []byte, scope string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(scope + "\x00" + e))
	return e + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyToken checks a token made by SignToken, and that it has not
// expired at now.
func VerifyToken(key []byte, scope, token string, now time.Time) bool {
	e, _, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || now.Unix() > exp {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(SignToken(key, scope, time.Unix(exp, 0)))) == 1
}

// LinkTTL is how long a link in a reminder opens the dashboard: long enough
// to act on the reminder, short enough that a forwarded mail stops working.
const LinkTTL = 7 * 24 * time.Hour

// DashboardLink is a signed link to path under publicURL.
func DashboardLink(publicURL string, key []byte, path string, exp time.Time) string {
	return publicURL + path + "?t=" + url.QueryEscape(SignToken(key, "link", exp))
}

// ActionTTL is how long a phone button works: enough to act on a reminder
// (the next one brings fresh buttons), short enough that a leaked
// notification soon does nothing.
const ActionTTL = 72 * time.Hour

// Buttons a reminder carries to the phone, by the name in their URL.
var buttons = []struct{ label, action string }{
	{"Reached out", "reached-out"},
	{"Talked", "talked"},
	{"Snooze 3d", "snooze-3d"},
}

// ActionScope is what a button's credential is bound to: one person and one
// action.
func ActionScope(id, action string) string { return "act\x00" + id + "\x00" + action }

// PersonActions are the buttons of a reminder on the phone. Each posts to
// /act/{id}/{action} with a credential of its own, signed under key and
// bound to that person and action until exp: the api_token itself never
// leaves the machine, and a leaked notification can do one small thing for
// a short time. Each clears the notification on success.
func PersonActions(publicURL string, key []byte, id string, exp time.Time) []Action {
	out := make([]Action, len(buttons))
	for i, b := range buttons {
		out[i] = Action{
			Kind: "http", Label: b.label, Method: "POST", Clear: true,
			URL:     publicURL + "/act/" + url.PathEscape(id) + "/" + b.action,
			Headers: map[string]string{"Authorization": "Bearer " + SignToken(key, ActionScope(id, b.action), exp)},
		}
	}
	return out
}
