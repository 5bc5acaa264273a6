package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["ntfy"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return newNtfy(name, spec.(*config.NtfySpec), o)
	}
}

// ntfyMessageLimit is ntfy's limit on a message body; longer ones would be
// turned into attachments, which a reminder has no use for.
const ntfyMessageLimit = 4096

// ntfyMaxActions is the most action buttons ntfy shows.
const ntfyMaxActions = 3

// ntfyChannel publishes to an ntfy server (ntfy.sh or self-hosted) with JSON
// publishing to the server root.
type ntfyChannel struct {
	name, url, topic string
	username         string
	token, password  string
	priority         int
	tags             []string
	client           *http.Client
	timeout          time.Duration
}

func newNtfy(name string, s *config.NtfySpec, o Options) *ntfyChannel {
	return &ntfyChannel{
		name: name, url: s.URL, topic: s.Topic, username: s.Username,
		token: s.Token.Reveal(), password: s.Password.Reveal(),
		priority: s.Priority, tags: s.Tags, client: o.httpClient(), timeout: o.Timeout,
	}
}

// Name returns the channel's name in the config.
func (n *ntfyChannel) Name() string { return n.name }

// Type returns "ntfy".
func (n *ntfyChannel) Type() string { return "ntfy" }

// Send implements notify.Notifier.
func (n *ntfyChannel) Send(ctx context.Context, subject, message string) error {
	return n.Deliver(ctx, Message{Title: subject, Lead: message})
}

type ntfyAction struct {
	Action  string            `json:"action"`
	Label   string            `json:"label"`
	URL     string            `json:"url"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Clear   bool              `json:"clear,omitempty"`
}

type ntfyPublish struct {
	Topic    string       `json:"topic"`
	Title    string       `json:"title,omitempty"`
	Message  string       `json:"message"`
	Markdown bool         `json:"markdown,omitempty"`
	Priority int          `json:"priority,omitempty"`
	Tags     []string     `json:"tags,omitempty"`
	Click    string       `json:"click,omitempty"`
	Actions  []ntfyAction `json:"actions,omitempty"`
	// SequenceID (ntfy 2.16 and later): a message with the id of an
	// earlier one replaces it on the phone instead of showing twice.
	// Older servers ignore the field.
	SequenceID string `json:"sequence_id,omitempty"`
}

// ntfyError is the JSON body of an ntfy error response.
type ntfyError struct {
	Code  int    `json:"code"`
	HTTP  int    `json:"http"`
	Error string `json:"error"`
	Link  string `json:"link"`
}

func (n *ntfyChannel) payload(m Message) ntfyPublish {
	p := ntfyPublish{
		Topic: n.topic, Title: m.Title, Message: markdown(m), Markdown: true,
		Priority: n.priority, Tags: append(append([]string(nil), n.tags...), m.Tags...), Click: m.Click,
		SequenceID: m.ID,
	}
	p.Message = truncate(p.Message, ntfyMessageLimit)
	if m.Priority != 0 {
		p.Priority = m.Priority
	}
	for _, a := range m.Actions {
		if len(p.Actions) == ntfyMaxActions {
			break
		}
		kind := a.Kind
		if kind == "" {
			kind = "http"
		}
		p.Actions = append(p.Actions, ntfyAction{Action: kind, Label: a.Label, URL: a.URL, Method: a.Method, Headers: a.Headers, Body: a.Body, Clear: a.Clear})
	}
	return p
}

// Deliver publishes m.
func (n *ntfyChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, n.timeout)
	defer cancel()
	body, err := json.Marshal(n.payload(m))
	if err != nil {
		return &Error{Channel: n.name, Msg: "encode message: " + err.Error(), Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url+"/", bytes.NewReader(body))
	if err != nil {
		return &Error{Channel: n.name, Msg: "bad server URL: " + err.Error(), Fix: "check url", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	switch {
	case n.token != "":
		req.Header.Set("Authorization", "Bearer "+n.token)
	case n.username != "":
		req.SetBasicAuth(n.username, n.password)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return networkFailure(n.name, err, n.secrets()...)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	detail := readDetail(resp.Body)
	var ne ntfyError
	if json.Unmarshal([]byte(detail), &ne) == nil && ne.Error != "" {
		detail = ne.Error
		if ne.Code != 0 {
			detail = fmt.Sprintf("%s (ntfy code %d)", ne.Error, ne.Code)
		}
	}
	e := httpFailure(n.name, resp, redactAll(detail, n.secrets()))
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Fix = "the token (or username and password) is wrong or expired"
	case http.StatusForbidden:
		// ntfy answers 403, not 401, to a publisher with no credentials
		// on a server that lets no one publish without logging in.
		e.Fix = fmt.Sprintf("this login may not publish to topic %q", n.topic)
		if n.token == "" && n.username == "" {
			e.Fix = fmt.Sprintf("this server lets only a login publish to topic %q; set token (an access token the server's admin makes with `ntfy token add`) or username and password in [channels.%s]", n.topic, n.name)
		}
	case http.StatusTooManyRequests:
		e.Fix = "the server's rate limit was reached; rekindle will try again later"
	}
	return e
}

// secrets are what a failure must not show: the token, the password, and
// the user:password pair its Basic header carries in base64.
func (n *ntfyChannel) secrets() []string {
	s := []string{n.token, n.password}
	if n.username != "" && n.password != "" {
		s = append(s, n.username+":"+n.password)
	}
	return s
}

// markdown is m in ntfy's markdown.
func markdown(m Message) string {
	if len(m.Items) > 0 {
		return compose.Sections(m.Items, "\n\n", func(it Message) string { return "### " + it.Title + "\n" + markdown(it) })
	}
	return m.Format(markdownStyle)
}

var markdownStyle = compose.Style{Escape: compose.AsIs, Heading: func(h string) string { return "**" + h + "**" }, Bullet: "- ",
	Quote: func(s string) string { return "> " + s }}
