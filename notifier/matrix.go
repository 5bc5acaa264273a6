package notifier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["matrix"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.MatrixSpec)
		return &matrixChannel{name: name, homeserver: s.Homeserver, room: s.Room, token: s.AccessToken.Reveal(), client: o.httpClient(), timeout: o.Timeout}
	}
}

// matrixLimit keeps a message under the 65,536 bytes a Matrix event may
// take, with room for the event's own fields.
const matrixLimit = 60000

// matrixChannel writes to a Matrix room with mautrix, as nikoksr/notify's
// matrix service did (mautrix's own client and a 180-second
// timeout: each send is bounded by the channel's timeout through its
// context). The service sends the body alone, as plain text, so the title
// is its first line; Matrix clients make the links clickable.
//
// The service answers every failure with the same words and keeps the
// homeserver's answer to itself. So after a failure rekindle asks the
// homeserver two questions of its own, with the same token: who the token
// belongs to, and which rooms that account is in. A refused token or a
// room the account is not in is permanent, with its fix; when both answers
// are fine the refusal was the message's (a rate limit, a busy server) and
// is temporary.
type matrixChannel struct {
	name, homeserver, room, token string
	client                        *http.Client
	timeout                       time.Duration
}

// Name returns the channel's name.
func (c *matrixChannel) Name() string { return c.name }

// Type returns "matrix".
func (c *matrixChannel) Type() string { return "matrix" }

// Send implements notify.Notifier.
func (c *matrixChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver sends m to the room as plain text: the title, the body and the
// links.
func (c *matrixChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	mx, err := mautrix.NewClient(c.homeserver, "", c.token)
	if err != nil {
		return &Error{Channel: c.name, Msg: "homeserver: " + err.Error(), Fix: "check homeserver: https://matrix.example.org", Err: err}
	}
	svc := service(func(ctx context.Context, _, message string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		body := &matrixMessage{Body: message, Msgtype: event.MsgText}
		if _, err := mx.SendMessageEvent(ctx, id.RoomID(c.room), event.EventMessage, body); err != nil {
			return errors.New("failed to send message to the room using Matrix")
		}
		return nil
	})
	text := truncate(m.Title+"\n\n"+m.TextWithLinks(), matrixLimit)
	if err := send(ctx, svc, m.Title, text); err != nil {
		if ctx.Err() != nil {
			return networkFailure(c.name, ctx.Err())
		}
		return c.diagnose(ctx, err)
	}
	return nil
}

// matrixMessage is the m.room.message event's content as notify's matrix
// service sent it.
type matrixMessage struct {
	Body          string            `json:"body"`
	Format        string            `json:"format,omitempty"`
	FormattedBody string            `json:"formatted_body,omitempty"`
	Msgtype       event.MessageType `json:"msgtype"`
}

// diagnose finds out why the service's send failed (see matrixChannel).
func (c *matrixChannel) diagnose(ctx context.Context, sendErr error) *Error {
	mx, err := mautrix.NewClient(c.homeserver, "", c.token)
	if err != nil {
		return &Error{Channel: c.name, Msg: "homeserver: " + err.Error(), Err: err}
	}
	mx.Client = c.client
	who, err := mx.Whoami(ctx)
	if err != nil {
		e := c.failure(err)
		switch e.Status {
		case http.StatusUnauthorized:
			e.Fix = "access_token is wrong, or the session it belongs to was logged out"
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			e.Fix = "check homeserver: the base URL of your server's client API (https://matrix.example.org), not a room or a web client's address"
		}
		return e
	}
	joined, err := mx.JoinedRooms(ctx)
	if err != nil {
		return c.failure(err)
	}
	if !slices.Contains(joined.JoinedRooms, id.RoomID(c.room)) {
		return &Error{
			Channel: c.name, Status: http.StatusForbidden, Err: sendErr,
			Msg: fmt.Sprintf("%s is not in room %s", who.UserID, c.room),
			Fix: "invite the account to the room and accept the invite as it, or check room: the room's id, from Room settings, Advanced",
		}
	}
	return &Error{
		Channel: c.name, Retryable: true, Err: sendErr,
		Msg: "the homeserver refused the message (notify's matrix service does not say why; the token and the room are fine, so it is taken as a rate limit or a busy server)",
		Fix: "if this repeats, look in the homeserver's log, and check that the account may post in the room",
	}
}

// failure classifies an error of mautrix: an answer of the homeserver as
// any HTTP answer, with its errcode and error and its retry_after_ms; no
// answer as a network failure.
func (c *matrixChannel) failure(err error) *Error {
	var he mautrix.HTTPError
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		// mautrix keeps the redirect's response: say why it stopped.
		return networkFailure(c.name, redirect, c.token)
	}
	if !errors.As(err, &he) || he.Response == nil {
		if errors.As(err, &he) && he.WrappedError != nil {
			err = he.WrappedError
		}
		return networkFailure(c.name, err, c.token)
	}
	detail := strings.TrimSpace(he.ResponseBody)
	if re := he.RespError; re != nil && re.ErrCode != "" {
		detail = re.Err + " (" + re.ErrCode + ")"
	}
	e := httpFailure(c.name, he.Response, redactAll(detail, []string{c.token}))
	e.Err = redactedError{err, []string{c.token}}
	if re := he.RespError; re != nil {
		if ms, ok := re.ExtraData["retry_after_ms"].(float64); ok && ms > 0 && e.RetryAfter == 0 {
			e.RetryAfter = time.Duration(ms) * time.Millisecond
		}
	}
	return e
}
