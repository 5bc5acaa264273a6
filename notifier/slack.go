package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["slack"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return newSlack(name, spec.(*config.SlackSpec), o)
	}
}

// Slack's limits on the blocks rekindle sends.
const (
	slackHeaderLimit  = 150
	slackSectionLimit = 3000
)

// slackChannel posts to Slack through an incoming webhook, or with a bot token to
// a channel. (nikoksr/notify's Slack service sends plain text only and
// cannot be pointed at a test server, so the bot-token path uses
// slack-go/slack, which that service wraps, directly.)
type slackChannel struct {
	name    string
	webhook string
	token   string
	channel string
	client  *http.Client
	api     *slack.Client
	timeout time.Duration
}

func newSlack(name string, spec *config.SlackSpec, o Options) *slackChannel {
	s := &slackChannel{
		name: name, webhook: spec.WebhookURL.Reveal(), token: spec.Token.Reveal(), channel: spec.Channel,
		client: o.httpClient(), timeout: o.Timeout,
	}
	if s.token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(s.client)}
		if o.SlackAPIURL != "" {
			opts = append(opts, slack.OptionAPIURL(strings.TrimRight(o.SlackAPIURL, "/")+"/"))
		}
		s.api = slack.New(s.token, opts...)
	}
	return s
}

// Name returns the channel's name.
func (s *slackChannel) Name() string { return s.name }

// Type returns "slack".
func (s *slackChannel) Type() string { return "slack" }

// Send implements notify.Notifier.
func (s *slackChannel) Send(ctx context.Context, subject, message string) error {
	return s.Deliver(ctx, Message{Title: subject, Lead: message})
}

// blocks lays a message out as a header and a mrkdwn section.
func blocks(m Message) []slack.Block {
	text := mrkdwn(m)
	for _, l := range m.Links {
		text += "\n<" + l.URL + "|" + slackEscape.Replace(l.Label) + ">"
	}
	return []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(m.Title, slackHeaderLimit), false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(text, slackSectionLimit), false, false), nil, nil),
	}
}

// fallback is the text Slack shows in notifications; Slack reads it as
// mrkdwn, so its reserved characters are escaped.
func fallback(m Message) string { return slackEscape.Replace(m.Title + "\n" + m.Text()) }

// Deliver posts m.
func (s *slackChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, s.timeout)
	defer cancel()
	if s.api != nil {
		return s.post(ctx, m)
	}
	return s.hook(ctx, m)
}

func (s *slackChannel) hook(ctx context.Context, m Message) error {
	// Slack would otherwise fetch the links itself to show previews: the
	// signed links to the dashboard are for the user, not for Slack's
	// crawler.
	no := false
	body, err := json.Marshal(slack.WebhookMessage{Text: fallback(m), Blocks: &slack.Blocks{BlockSet: blocks(m)},
		UnfurlLinks: &no, UnfurlMedia: &no})
	if err != nil {
		return &Error{Channel: s.name, Msg: "encode message: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.webhook, bytes.NewReader(body))
	if err != nil {
		// The URL is a secret: say what is wrong without it.
		return &Error{Channel: s.name, Msg: "the webhook URL is not valid", Fix: "check webhook_url"}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return networkFailure(s.name, err, s.webhook)
	}
	defer resp.Body.Close()
	detail := strings.TrimSpace(readDetail(resp.Body))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e := httpFailure(s.name, resp, redactAll(detail, []string{s.webhook}))
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusGone:
		e.Fix = "the webhook was removed or its channel archived; create a new incoming webhook"
	case http.StatusForbidden:
		e.Fix = "the webhook is not allowed to post; check the app's permissions"
	case http.StatusBadRequest:
		e.Fix = "Slack refused the message"
	}
	return e
}

// slackTemporary lists the API errors that can go away by themselves.
var slackTemporary = map[string]bool{
	"ratelimited": true, "fatal_error": true, "internal_error": true, "service_unavailable": true, "request_timeout": true,
}

func (s *slackChannel) post(ctx context.Context, m Message) error {
	_, _, err := s.api.PostMessageContext(ctx, s.channel,
		slack.MsgOptionText(fallback(m), false), slack.MsgOptionBlocks(blocks(m)...),
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	var api slack.SlackErrorResponse
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		return &Error{Channel: s.name, Retryable: true, RetryAfter: rl.RetryAfter, Status: http.StatusTooManyRequests,
			Msg: "Slack rate limit reached", Err: err}
	case errors.As(err, &api):
		e := &Error{Channel: s.name, Retryable: slackTemporary[api.Err], Msg: "Slack answered: " + api.Err, Err: err}
		switch api.Err {
		case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
			e.Fix = "the bot token is wrong or was revoked"
		case "channel_not_found", "not_in_channel":
			e.Fix = fmt.Sprintf("check channel %q, and invite the bot to it", s.channel)
		}
		return e
	case errors.As(err, &sc):
		return &Error{Channel: s.name, Retryable: sc.Code >= 500 || sc.Code == http.StatusTooManyRequests, Status: sc.Code,
			Msg: fmt.Sprintf("Slack answered %d %s", sc.Code, sc.Status), Err: err}
	}
	return networkFailure(s.name, err, s.token)
}

// mrkdwn is m in Slack's mrkdwn.
func mrkdwn(m Message) string {
	if len(m.Items) > 0 {
		return compose.Sections(m.Items, "\n\n", func(it Message) string { return "*" + slackEscape.Replace(it.Title) + "*\n" + mrkdwn(it) })
	}
	return m.Format(mrkdwnStyle)
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var mrkdwnStyle = compose.Style{Escape: slackEscape.Replace, Heading: func(h string) string { return "*" + h + "*" }, Bullet: "• ",
	Quote: func(s string) string { return ">" + s }}
