package compose

import (
	"time"

	"github.com/rekindle/rekindle/links"
)

// Link is a link a message carries (email and Slack show them).
type Link struct {
	Label string
	URL   string
}

// Buttons a reminder carries to the phone, by the name in their URL.
var buttons = []struct{ label, action string }{
	{"Reached out", "reached-out"},
	{"Talked", "talked"},
	{"Snooze 3d", "snooze-3d"},
}

// PersonActions are the buttons of a reminder on the phone. Each posts to
// /act/{id}/{action} with a credential of its own, signed under key and
// bound to that person, that action and this notification (nonce) for
// links.ActionTTL from now: the api_token itself never leaves the machine,
// a leaked notification can do one small thing for a short time, and a
// button tapped twice acts once. Each clears the notification on success.
func PersonActions(publicURL string, key []byte, id, nonce string, now time.Time) []Action {
	out := make([]Action, len(buttons))
	for i, b := range buttons {
		u, cred := links.Action(publicURL, key, id, b.action, nonce, now)
		out[i] = Action{
			Kind: "http", Label: b.label, Method: "POST", Clear: true, URL: u,
			Headers: map[string]string{"Authorization": "Bearer " + cred},
		}
	}
	return out
}
