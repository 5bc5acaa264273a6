package notifier

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nikoksr/notify/service/rocketchat"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["rocketchat"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return &rocketChatChannel{name: name, spec: spec.(*config.RocketChatSpec), timeout: o.Timeout}
	}
}

// rocketChatLimit is the most a Rocket.Chat message may hold: the server's
// Message_MaxAllowedSize, 5,000 characters unless an admin changed it
// (counted here in bytes, which is never fewer).
const rocketChatLimit = 5000

// rocketChatChannel posts to Rocket.Chat through nikoksr/notify's
// rocketchat service (Rocket.Chat's Go SDK underneath). The SDK takes no
// context and uses http.DefaultClient, which has no timeout: a send waits
// at most the channel's timeout, after which it counts as failed for now
// (and its request is left to end on its own). Its errors carry the
// server's words but not the HTTP status, so failure reads those words.
type rocketChatChannel struct {
	name    string
	spec    *config.RocketChatSpec
	timeout time.Duration
}

// Name returns the channel's name.
func (c *rocketChatChannel) Name() string { return c.name }

// Type returns "rocketchat".
func (c *rocketChatChannel) Type() string { return "rocketchat" }

// Send implements notify.Notifier.
func (c *rocketChatChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver posts m in Rocket.Chat's markdown: the title in bold (the
// service puts it on the first line), the body, and the links.
func (c *rocketChatChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	u, err := url.Parse(c.spec.URL)
	if err != nil {
		return &Error{Channel: c.name, Msg: "url: " + err.Error(), Err: err}
	}
	token := c.spec.Token.Reveal()
	svc, err := rocketchat.New(u.Host, u.Scheme, c.spec.UserID, token)
	if err != nil {
		return c.failure(err)
	}
	svc.AddReceivers(c.spec.Channel)
	text := m.WithLinks(rocketChat(m), "\n", compose.MarkdownLink)
	title := "*" + m.Title + "*"
	text = truncate(text, rocketChatLimit-len(title)-1)
	err = bounded(ctx, func() error { return send(ctx, svc, title, text) })
	if err != nil {
		return c.failure(err)
	}
	return nil
}

// rocketChat is m in Rocket.Chat's markdown, where single asterisks make
// bold.
func rocketChat(m Message) string {
	if len(m.Items) > 0 {
		return compose.Sections(m.Items, "\n\n", func(it Message) string { return "*" + it.Title + "*\n" + rocketChat(it) })
	}
	return m.Format(rocketChatStyle)
}

var rocketChatStyle = compose.Style{Escape: compose.AsIs, Heading: func(h string) string { return "*" + h + "*" }, Bullet: "- ",
	Quote: func(s string) string { return "> " + s }}

// What the SDK's errors say: "Request error: 502 Bad Gateway" when the
// answer was not JSON; otherwise the server's own error text, which for a
// rate limit is "... You must wait 12 seconds before trying this endpoint
// again. [error-too-many-requests]".
var (
	rocketChatStatus = lazyRegexp(`Request error: (\d{3})[^\n]*()`)
	rocketChatWait   = lazyRegexp(`must wait (\d+) seconds`)
)

// failure classifies an error of the service by its words: no answer is a
// network failure; an answer that was not JSON, by its status; Rocket.Chat's
// own refusals by their error codes (a rate limit and an internal error
// are temporary, the rest permanent).
func (c *rocketChatChannel) failure(err error) *Error {
	secrets := []string{c.spec.Token.Reveal()}
	var ue *url.Error
	if errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
		return networkFailure(c.name, err, secrets...)
	}
	text := err.Error()
	if rocketChatStatus().MatchString(text) {
		// Also a 401: its document's "message" is a string where the
		// SDK expects the posted message, so the SDK cannot read it.
		e := textFailure(c.name, err, rocketChatStatus(), secrets)
		if e.Status == http.StatusUnauthorized {
			e.Fix = "check user_id and token: a personal access token and the user id shown with it"
		}
		return e
	}
	said := text // the server's words, without the service's "send message to channel ..."
	if inner := errors.Unwrap(err); inner != nil {
		said = inner.Error()
	}
	e := &Error{Channel: c.name, Msg: "Rocket.Chat refused the message: " + redactAll(strings.TrimSpace(said), secrets), Err: redactedError{err, secrets}}
	switch {
	case strings.Contains(text, "error-too-many-requests"):
		e.Retryable, e.Status = true, http.StatusTooManyRequests
		if g := rocketChatWait().FindStringSubmatch(text); g != nil {
			n, _ := strconv.Atoi(g[1])
			e.RetryAfter = time.Duration(n) * time.Second
		}
	case strings.Contains(strings.ToLower(text), "internal server error"):
		e.Retryable = true
	case strings.Contains(text, "invalid-channel"), strings.Contains(text, "room-not-found"), strings.Contains(text, "not-allowed"):
		e.Fix = "check channel: #name for a channel, @name for a direct message, and that the user is in it"
	}
	return e
}
