package notifier

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nikoksr/notify/service/bark"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["bark"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.BarkSpec)
		return &barkChannel{name: name, key: s.DeviceKey.Reveal(), server: s.Server, timeout: o.Timeout}
	}
}

// barkChannel pushes to the Bark app through nikoksr/notify's bark service
// (its own client, with a 5-second timeout). The service sets the sound
// itself (alarm.caf).
type barkChannel struct {
	name, key, server string
	timeout           time.Duration
}

// Name returns the channel's name.
func (c *barkChannel) Name() string { return c.name }

// Type returns "bark".
func (c *barkChannel) Type() string { return "bark" }

// Send implements notify.Notifier.
func (c *barkChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// barkStatus finds the status in the errors of notify's bark service
// ("bark returned status code 400: {...}").
var barkStatus = lazyRegexp(`bark returned status code (\d{3}): (.*)`)

// Deliver pushes m as plain text with its links.
func (c *barkChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	text := m.TextWithLinks()
	err := send(ctx, bark.NewWithServers(c.key, c.server), m.Title, text)
	if err == nil {
		return nil
	}
	e := textFailure(c.name, err, barkStatus(), []string{c.key})
	if e.Status == http.StatusBadRequest {
		e.Fix = "check device_key: the key the Bark app shows"
	}
	return e
}

// textFailure classifies the error of a notify service that keeps the
// HTTP response to itself and writes its status and body into the error's
// text, which status finds (two groups: the status, the body). A status is
// classified as any HTTP answer (408, 429 and 5xx temporary, other 4xx
// permanent), with the body's "message" as the detail; an error without
// one is a network failure. Secrets are cut out of both.
func textFailure(channel string, err error, status *regexp.Regexp, secrets []string) *Error {
	g := status.FindStringSubmatch(err.Error())
	if g == nil {
		return networkFailure(channel, err, secrets...)
	}
	code, _ := strconv.Atoi(g[1])
	e := httpFailure(channel, &http.Response{StatusCode: code, Header: http.Header{}}, redactAll(jsonMessage(strings.TrimSpace(g[2])), secrets))
	e.Err = redactedError{err, secrets}
	return e
}

// jsonMessage is the "message" of a JSON error document, or the text as it
// is.
func jsonMessage(body string) string {
	if m := jsonMessageField().FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return body
}

var jsonMessageField = lazyRegexp(`"message"\s*:\s*"([^"]*)"`)
