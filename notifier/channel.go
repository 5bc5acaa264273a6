package notifier

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/nikoksr/notify"

	"github.com/rekindle/rekindle/config"
)

// Options are what channels take besides their config.
type Options struct {
	Timeout    time.Duration // per send; defaultTimeout when 0
	Stdout     io.Writer     // the console channel's output; os.Stdout when nil
	HTTPClient *http.Client  // for ntfy and Slack; a default client when nil
	// SlackAPIURL points a Slack bot-token channel at another API server
	// (tests); the real one when "".
	SlackAPIURL string
	// DBusAddress is the session bus for desktop notifications;
	// $DBUS_SESSION_BUS_ADDRESS when "".
	DBusAddress string
	// RootCAs are the certificate authorities email trusts; the system's
	// when nil.
	RootCAs *x509.CertPool
}

// httpClient is the channels' client: Options.HTTPClient (a test's) or
// rekindle's own, and either way one that follows no redirect to another
// scheme or host (refuseRedirect).
func (o Options) httpClient() *http.Client {
	if o.HTTPClient == nil {
		return newHTTPClient()
	}
	c := *o.HTTPClient
	theirs := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := refuseRedirect(req, via); err != nil || theirs == nil {
			return err
		}
		return theirs(req, via)
	}
	return &c
}

// HeldChannel is a channel that can hold what it delivers until Flush: the
// console, which then writes a round of many reminders in a few writes.
// The deliverer flushes before it records a batch as sent.
type HeldChannel interface {
	DeliverHeld(ctx context.Context, m Message) error
	Flush() error
}

// builders make a channel from its type's settings; each channel's file
// registers its type.
var builders = map[string]func(name string, spec config.ChannelSpec, o Options) Channel{}

// New builds the channel a [channels.NAME] table describes.
func New(ch *config.Channel, o Options) (Channel, error) {
	build, ok := builders[ch.Type]
	if !ok {
		return nil, fmt.Errorf("channel %s: unknown type %q", ch.Name, ch.Type)
	}
	return build(ch.Name, ch.Spec, o), nil
}

// FromConfig builds every channel a contact may name: the configured ones,
// and "console" unless the config defines its own channel of that name.
func FromConfig(cfg *config.Config, o Options) (map[string]Channel, error) {
	out := map[string]Channel{}
	for name, ch := range cfg.Channels {
		c, err := New(ch, o)
		if err != nil {
			return nil, err
		}
		out[name] = c
	}
	if _, ok := out[config.ConsoleChannel]; !ok {
		out[config.ConsoleChannel] = newConsole(config.ConsoleChannel, o)
	}
	return out, nil
}

// Compile-time checks: every channel is a notify.Notifier.
var (
	_ notify.Notifier = (*ntfyChannel)(nil)
	_ notify.Notifier = (*slackChannel)(nil)
	_ notify.Notifier = (*emailChannel)(nil)
	_ notify.Notifier = (*desktopChannel)(nil)
	_ notify.Notifier = (*consoleChannel)(nil)
	_ Channel         = (*ntfyChannel)(nil)
)

func stdout(o Options) io.Writer {
	if o.Stdout != nil {
		return o.Stdout
	}
	return os.Stdout
}
