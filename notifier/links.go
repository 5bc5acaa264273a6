package notifier

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
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

// TokenPlaceholder stands for the api_token in stored messages: the outbox
// never holds the token itself, and a token changed in the config applies
// to reminders already queued. WithToken fills it in at send time.
const TokenPlaceholder = "{api_token}"

// PersonActions are the buttons of a reminder on the phone: each calls the
// API exactly as written here, with the token (as TokenPlaceholder), and
// clears the notification on success.
func PersonActions(publicURL, id string) []Action {
	api := publicURL + "/api/contacts/" + url.PathEscape(id)
	headers := map[string]string{"Authorization": "Bearer " + TokenPlaceholder, "Content-Type": "application/json"}
	body := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	return []Action{
		{Kind: "http", Label: "Reached out", URL: api + "/events", Method: "POST", Headers: headers, Body: body(map[string]string{"kind": "reached-out"}), Clear: true},
		{Kind: "http", Label: "Talked", URL: api + "/events", Method: "POST", Headers: headers, Body: body(map[string]string{"kind": "talked"}), Clear: true},
		{Kind: "http", Label: "Snooze 3d", URL: api + "/snooze", Method: "POST", Headers: headers, Body: body(map[string]string{"duration": "3d"}), Clear: true},
	}
}

// WithToken returns m with TokenPlaceholder in its action headers replaced
// by token.
func WithToken(m Message, token string) Message {
	if len(m.Actions) == 0 {
		return m
	}
	acts := make([]Action, len(m.Actions))
	for i, a := range m.Actions {
		h := make(map[string]string, len(a.Headers))
		for k, v := range a.Headers {
			h[k] = strings.ReplaceAll(v, TokenPlaceholder, token)
		}
		a.Headers = h
		acts[i] = a
	}
	m.Actions = acts
	return m
}
