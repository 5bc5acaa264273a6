package notifier

import (
	"context"
	"io"
	"strings"
	"sync"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["console"] = func(name string, spec config.ChannelSpec, o Options) Channel { return newConsole(name, o) }
}

// consoleChannel writes reminders to standard output: the channel of a config with
// none, and a readable log line for each reminder under systemd.
type consoleChannel struct {
	name string
	mu   sync.Mutex
	w    io.Writer
}

func newConsole(name string, o Options) *consoleChannel {
	return &consoleChannel{name: name, w: stdout(o)}
}

// Name returns the channel's name.
func (c *consoleChannel) Name() string { return c.name }

// Type returns "console".
func (c *consoleChannel) Type() string { return "console" }

// Send implements notify.Notifier.
func (c *consoleChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver writes m as a title line and its indented text, in one write so
// that concurrent messages never interleave.
func (c *consoleChannel) Deliver(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("== " + m.Title + "\n")
	for _, line := range strings.Split(m.Text(), "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("   " + line + "\n")
	}
	b.WriteString("\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return &Error{Channel: c.name, Msg: "write to standard output: " + err.Error(), Err: err}
	}
	return nil
}
