package notifier

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/nikoksr/notify/service/mattermost"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["mattermost"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return &mattermostChannel{name: name, spec: spec.(*config.MattermostSpec), timeout: o.Timeout}
	}
}

// mattermostChannel posts to a Mattermost channel through nikoksr/notify's
// mattermost service (its own http service, on http.DefaultClient: each
// send is bounded by the channel's timeout through its context).
type mattermostChannel struct {
	name    string
	spec    *config.MattermostSpec
	timeout time.Duration
}

// Name returns the channel's name.
func (c *mattermostChannel) Name() string { return c.name }

// Type returns "mattermost".
func (c *mattermostChannel) Type() string { return "mattermost" }

// Send implements notify.Notifier.
func (c *mattermostChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver posts m in Mattermost's Markdown: the title in bold, then the
// body and the links.
func (c *mattermostChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	svc := mattermost.New(strings.TrimRight(c.spec.URL, "/"))
	svc.AddReceivers(c.spec.Channel)
	secrets := []string{c.spec.Token.Reveal(), c.spec.Password.Reveal()}
	if c.spec.Token.IsSet() {
		svc.PreSend(func(req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+c.spec.Token.Reveal())
			return nil
		})
	} else if err := svc.LoginWithCredentials(ctx, c.spec.LoginID, c.spec.Password.Reveal()); err != nil {
		e := c.failure(err, secrets)
		if e.Status == http.StatusUnauthorized {
			e.Fix = "the server refused the login; check login_id and password (or use a bot token)"
		}
		return e
	}
	body := m.WithLinks(markdown(m), "\n", compose.MarkdownLink)
	if err := send(ctx, svc, "**"+m.Title+"**", body); err != nil {
		e := c.failure(err, secrets)
		switch e.Status {
		case http.StatusUnauthorized:
			e.Fix = "the token is wrong or expired"
		case http.StatusForbidden, http.StatusNotFound:
			e.Fix = "check channel (its id, not its name) and that the bot or user is a member of it"
		}
		return e
	}
	return nil
}

// mattermostStatus finds the HTTP status and the body in the errors of
// notify's mattermost service ("... failed with status: 429 Too Many
// Requests body: ..."), which keep the response to themselves.
var mattermostStatus = regexp.MustCompile(`(?s)status: (\d{3})[^\n]*? body: (.*)`)

// failure classifies an error of notify's service (a Retry-After is not
// passed on by it).
func (c *mattermostChannel) failure(err error, secrets []string) *Error {
	if errors.Is(err, context.Canceled) {
		return &Error{Channel: c.name, Msg: "stopped", Err: err}
	}
	return textFailure(c.name, err, mattermostStatus, secrets)
}
