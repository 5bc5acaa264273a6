package notifier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	nhttp "github.com/nikoksr/notify/service/http"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["mattermost"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return &mattermostChannel{name: name, spec: spec.(*config.MattermostSpec), timeout: o.Timeout}
	}
}

// mattermostChannel posts to a Mattermost channel through nikoksr/notify's
// http service (on http.DefaultClient: each send is bounded by the
// channel's timeout through its context), set up as notify's mattermost
// service sets it up (mattermostService).
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
	login, posts := mattermostService(strings.TrimRight(c.spec.URL, "/"))
	svc := service(func(ctx context.Context, subject, message string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := posts.Send(ctx, c.spec.Channel, subject+"\n"+message); err != nil {
			return fmt.Errorf("send message to channel %q: %w", c.spec.Channel, err)
		}
		return nil
	})
	secrets := []string{c.spec.Token.Reveal(), c.spec.Password.Reveal()}
	if c.spec.Token.IsSet() {
		posts.PreSend(func(req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+c.spec.Token.Reveal())
			return nil
		})
	} else if err := login.Send(ctx, c.spec.LoginID, c.spec.Password.Reveal()); err != nil {
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

// mattermostService is the pair of http services notify's mattermost
// service is made of (the same requests and the same errors, without its
// package, which links testify's mocks into the binary): login posts the
// login id and password to /api/v4/users/login and gives posts the session
// token; posts creates a post in a channel at /api/v4/posts.
func mattermostService(url string) (login, posts *nhttp.Service) {
	posts = nhttp.New()
	posts.AddReceivers(&nhttp.Webhook{
		URL: url + "/api/v4/posts", Header: http.Header{}, ContentType: "application/json", Method: http.MethodPost,
		BuildPayload: func(channelID, text string) any {
			return map[string]string{"channel_id": channelID, "message": text}
		},
	})
	posts.PostSend(func(_ *http.Request, resp *http.Response) error {
		if resp.StatusCode != http.StatusCreated {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("create post failed with status: %s body: %s", resp.Status, string(b))
		}
		return nil
	})
	login = nhttp.New()
	login.AddReceivers(&nhttp.Webhook{
		URL: url + "/api/v4/users/login", Header: http.Header{}, ContentType: "application/json", Method: http.MethodPost,
		BuildPayload: func(loginID, password string) any {
			return map[string]string{"login_id": loginID, "password": password}
		},
	})
	login.PostSend(func(_ *http.Request, resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("login failed with status: %s body: %s", resp.Status, string(b))
		}
		token := resp.Header.Get("Token")
		if token == "" {
			return errors.New("received empty token")
		}
		posts.PreSend(func(req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		})
		return nil
	})
	return login, posts
}

// mattermostStatus finds the HTTP status and the body in the errors of
// notify's mattermost service ("... failed with status: 429 Too Many
// Requests body: ..."), which keep the response to themselves.
var mattermostStatus = lazyRegexp(`(?s)status: (\d{3})[^\n]*? body: (.*)`)

// failure classifies an error of notify's service (a Retry-After is not
// passed on by it).
func (c *mattermostChannel) failure(err error, secrets []string) *Error {
	if errors.Is(err, context.Canceled) {
		return &Error{Channel: c.name, Msg: "stopped", Err: err}
	}
	return textFailure(c.name, err, mattermostStatus(), secrets)
}
