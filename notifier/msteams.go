package notifier

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	teams "github.com/atc0005/go-teams-notify/v2"
	"github.com/atc0005/go-teams-notify/v2/adaptivecard"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["msteams"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.MSTeamsSpec)
		return &teamsChannel{name: name, webhook: s.WebhookURL.Reveal(), client: o.httpClient(), timeout: o.Timeout}
	}
}

// teamsChannel posts an adaptive card to a Teams channel with
// atc0005/go-teams-notify, as nikoksr/notify's msteams service did.
// The webhook is a Workflows URL, which that library's check of the old
// Office 365 connector URLs would refuse: the check is off, and config
// asks for https. A transport of rekindle's own keeps the answer, which
// the library reports only as text, to classify a failure.
type teamsChannel struct {
	name, webhook string
	client        *http.Client
	timeout       time.Duration
}

// Name returns the channel's name.
func (c *teamsChannel) Name() string { return c.name }

// Type returns "msteams".
func (c *teamsChannel) Type() string { return "msteams" }

// Send implements notify.Notifier.
func (c *teamsChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver posts m: its title, then the text in Teams' Markdown, with the
// links.
func (c *teamsChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	seen := &answer{next: c.client.Transport}
	client := *c.client
	client.Transport = seen
	tc := teams.NewTeamsClient()
	tc.SkipWebhookURLValidationOnSend(true)
	tc.SetHTTPClient(&client)
	svc := service(func(ctx context.Context, subject, message string) error {
		card, err := adaptivecard.NewSimpleMessage(message, subject, true)
		if err != nil {
			return fmt.Errorf("create message: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := tc.SendWithContext(ctx, c.webhook, card); err != nil {
			return fmt.Errorf("send message to channel %q: %w", c.webhook, err)
		}
		return nil
	})
	body := m.WithLinks(markdown(m), "\n\n", compose.MarkdownLink)
	err := send(ctx, svc, m.Title, body)
	if err == nil {
		return nil
	}
	secrets := []string{c.webhook}
	if resp, detail, ok := seen.last(); ok && resp.StatusCode >= 300 {
		e := httpFailure(c.name, resp, redactAll(strings.TrimSpace(detail), secrets))
		e.Err = redactedError{err, secrets}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
			e.Fix = "the workflow refused the post or is gone: check webhook_url, or make the workflow again"
		case http.StatusBadRequest:
			e.Fix = "the workflow did not accept the card; check that it posts an adaptive card"
		}
		return e
	}
	return networkFailure(c.name, err, secrets...)
}

// answer is a transport that keeps the last response's status, headers and
// first 4 KiB of body, for a library that reports failures only as text.
type answer struct {
	next http.RoundTripper
	mu   sync.Mutex
	resp *http.Response
	body string
}

func (a *answer) RoundTrip(req *http.Request) (*http.Response, error) {
	next := a.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	a.mu.Lock()
	a.resp = &http.Response{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header.Clone()}
	a.body = string(b)
	a.mu.Unlock()
	return resp, nil
}

func (a *answer) last() (*http.Response, string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.resp, a.body, a.resp != nil
}
