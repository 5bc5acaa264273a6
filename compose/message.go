package compose

import (
	"cmp"
	"encoding/json"
)

// Message is one notification, composed but not formatted: a title, why
// now (the lead), conversation starters, something to send (the opener),
// links and buttons. Each channel formats it in its own style (package notifier, a file each):
// markdown for ntfy, mrkdwn for Slack, HTML and text for email, text for the
// desktop and the console.
//
// This is also what an outbox row keeps: the message as composed when the
// reminder became due, so that it says what was true then, and unformatted,
// so that it can go to whatever channel it ends up on (a renamed channel
// hands its rows to the person's current ones) after a restart.
type Message struct {
	Title    string
	Lead     string    `json:",omitempty"`
	Starters []string  `json:",omitempty"`
	Opener   string    `json:",omitempty"`
	Items    []Message `json:",omitempty"` // a digest: one section per reminder
	Priority int       `json:",omitempty"` // 1 (min) .. 5 (max); 0: the channel's default
	Tags     []string  `json:",omitempty"`
	Click    string    `json:",omitempty"` // a URL to open when the notification is tapped
	Actions  []Action  `json:",omitempty"`
	Links    []Link    `json:",omitempty"` // shown by email and Slack
	Test     bool      `json:",omitempty"` // a test-notify message
	// ID is the same for every attempt at one delivery, and set by the
	// deliverer just before a send (never stored). A service that can
	// (email's Message-ID, ntfy's sequence id) shows a repeat under it as
	// the same message, which is what becomes of the one duplicate a crash
	// can cause.
	ID string `json:"-"`
}

// UnmarshalJSON reads a message, and also one that an older rekindle wrote
// into the outbox already formatted (Text, Markdown, Mrkdwn, HTML): its
// text becomes the lead.
func (m *Message) UnmarshalJSON(b []byte) error {
	v, err := DecodeMessage(b)
	*m = v
	return err
}

// DecodeMessage reads a message as UnmarshalJSON does. Called directly it
// reads the JSON twice, not three times (json.Unmarshal checks the whole
// input before it hands it to UnmarshalJSON): it is what the deliverer
// reads each outbox row with.
func DecodeMessage(b []byte) (Message, error) {
	type plain Message
	var v struct {
		plain
		Text, Markdown, Mrkdwn string
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return Message{}, err
	}
	m := Message(v.plain)
	if m.Lead == "" && len(m.Items) == 0 {
		m.Lead = cmp.Or(v.Text, v.Markdown, v.Mrkdwn)
	}
	return m, nil
}

// Action is a button on a notification (ntfy's "http" and "view" actions).
type Action struct {
	Kind    string // "http" or "view"
	Label   string
	URL     string
	Method  string
	Headers map[string]string
	Body    string
	Clear   bool // dismiss the notification when the action succeeds
}
