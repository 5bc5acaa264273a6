package notifier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gregdel/pushover"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["pushover"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.PushoverSpec)
		return &pushoverChannel{name: name, token: s.Token.Reveal(), user: s.User.Reveal(), timeout: o.Timeout}
	}
}

// Pushover's limits on a message.
const (
	pushoverTitleLimit   = 250
	pushoverMessageLimit = 1024
)

// pushoverChannel notifies with gregdel/pushover, as nikoksr/notify's
// pushover service did. That library takes no context and uses
// http.DefaultClient, which has no timeout: a send waits at most the
// channel's timeout, after which it counts as failed for now (and its
// request is left to end on its own).
type pushoverChannel struct {
	name, token, user string
	timeout           time.Duration
}

// Name returns the channel's name.
func (c *pushoverChannel) Name() string { return c.name }

// Type returns "pushover".
func (c *pushoverChannel) Type() string { return "pushover" }

// Send implements notify.Notifier.
func (c *pushoverChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver sends m as plain text with its links.
func (c *pushoverChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	text := m.TextWithLinks()
	app := pushover.New(c.token)
	svc := service(func(ctx context.Context, subject, message string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := app.SendMessage(pushover.NewMessageWithTitle(message, subject), pushover.NewRecipient(c.user)); err != nil {
			return fmt.Errorf("send message to recipient 1: %w", err)
		}
		return nil
	})
	err := bounded(ctx, func() error {
		return send(ctx, svc, truncate(m.Title, pushoverTitleLimit), truncate(text, pushoverMessageLimit))
	})
	if err != nil {
		return c.failure(err)
	}
	return nil
}

// failure classifies what Pushover said. The library keeps the HTTP status
// to itself: a 5xx is its ErrHTTPPushover (temporary), and a refusal is
// the API's list of errors, which are about the token, the user key or
// the message (permanent), or a limit reached (temporary).
func (c *pushoverChannel) failure(err error) *Error {
	secrets := []string{c.token, c.user}
	var list pushover.Errors
	switch {
	case errors.Is(err, pushover.ErrHTTPPushover):
		return &Error{Channel: c.name, Retryable: true, Msg: "Pushover answered with a server error", Err: err}
	case errors.As(err, &list):
		msg := redactAll(strings.Join(list, "; "), secrets)
		e := &Error{Channel: c.name, Msg: "Pushover refused the message: " + msg, Err: redactedError{err, secrets}}
		switch {
		case strings.Contains(msg, "limit"):
			e.Retryable = true
			e.Fix = "the application's monthly message limit is reached"
		case strings.Contains(msg, "token"):
			e.Fix = "check token: the application's API token"
		case strings.Contains(msg, "user"):
			e.Fix = "check user: your user key, from the Pushover dashboard"
		}
		return e
	}
	return networkFailure(c.name, err, secrets...)
}
