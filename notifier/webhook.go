package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"text/template"
	"time"

	nhttp "github.com/nikoksr/notify/service/http"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["webhook"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return newWebhook(name, spec.(*config.WebhookSpec), o)
	}
}

// webhookChannel sends to any HTTP endpoint through nikoksr/notify's http
// service: the request's method, headers and body come from the config,
// and a hook on the response classifies a failure as temporary or
// permanent (notify's own error says only the status).
type webhookChannel struct {
	name    string
	spec    *config.WebhookSpec
	body    *template.Template // nil: notify's {"subject", "message"}
	client  *http.Client
	timeout time.Duration
	secrets []string // the URL and header values, cut out of every error
}

func newWebhook(name string, spec *config.WebhookSpec, o Options) *webhookChannel {
	w := &webhookChannel{name: name, spec: spec, client: o.httpClient(), timeout: o.Timeout, secrets: []string{spec.URL.Reveal()}}
	for _, v := range spec.Headers {
		w.secrets = append(w.secrets, v.Reveal())
	}
	if spec.Body != "" {
		// config checked it.
		w.body = template.Must(template.New("body").Funcs(config.WebhookTemplateFuncs).Option("missingkey=error").Parse(spec.Body))
	}
	return w
}

// Name returns the channel's name.
func (w *webhookChannel) Name() string { return w.name }

// Type returns "webhook".
func (w *webhookChannel) Type() string { return "webhook" }

// Send implements notify.Notifier.
func (w *webhookChannel) Send(ctx context.Context, subject, message string) error {
	return w.Deliver(ctx, Message{Title: subject, Lead: message})
}

// webhookData is what a body template sees.
type webhookData struct {
	Title    string
	Text     string // plain text, with the links
	Markdown string
	Link     string // the person's page, or ""
}

// Deliver sends m as one request.
func (w *webhookChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, w.timeout)
	defer cancel()
	text := m.TextWithLinks()
	d := webhookData{Title: m.Title, Text: text, Markdown: markdown(m)}
	if len(m.Links) > 0 {
		d.Link = m.Links[0].URL
	}
	hook := &nhttp.Webhook{URL: w.spec.URL.Reveal(), Method: w.spec.Method, ContentType: w.spec.ContentType, Header: http.Header{}}
	for k, v := range w.spec.Headers {
		hook.Header.Set(k, v.Reveal())
	}
	var payload any
	switch {
	case w.body != nil:
		var b strings.Builder
		if err := w.body.Execute(&b, d); err != nil {
			return &Error{Channel: w.name, Msg: "the body template failed: " + err.Error(), Fix: "check body in the channel"}
		}
		payload = b.String()
		if w.spec.ContentType == "application/json" {
			if !json.Valid([]byte(b.String())) {
				return &Error{Channel: w.name, Msg: "the body template made invalid JSON", Fix: "quote values with json: {{json .Title}}"}
			}
			payload = json.RawMessage(b.String())
		}
	case w.spec.ContentType == "text/plain":
		payload = m.Title + "\n\n" + text
	default:
		payload = map[string]string{"subject": m.Title, "message": text}
	}
	hook.BuildPayload = func(string, string) any { return payload }

	svc := nhttp.New()
	svc.WithClient(w.client)
	svc.AddReceivers(hook)
	var failed *Error
	svc.PostSend(func(_ *http.Request, resp *http.Response) error {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return nil
		}
		failed = httpFailure(w.name, resp, redactAll(readDetail(resp.Body), w.secrets))
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			failed.Fix = "the endpoint refused the request; check the token in url or headers"
		case http.StatusNotFound, http.StatusGone:
			failed.Fix = "check url: the endpoint is not there"
		case http.StatusTooManyRequests:
			failed.Fix = "the endpoint's rate limit was reached; rekindle will try again later"
		}
		return failed
	})
	err := send(ctx, svc, m.Title, text)
	switch {
	case err == nil:
		return nil
	case failed != nil:
		failed.Err = redactedError{err, w.secrets}
		return failed
	case errors.Is(err, context.Canceled):
		return err
	}
	return networkFailure(w.name, err, w.secrets...)
}
