package notifier

import (
	"context"
	"io"
	"strings"
	"sync"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/terminal"
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
	held []byte // written by DeliverHeld, not yet by Flush
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
// that concurrent messages never interleave (after what is held, first).
func (c *consoleChannel) Deliver(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = appendConsole(c.held, m)
	return c.flush()
}

// consoleHold is how much DeliverHeld holds before it writes anyway.
const consoleHold = 64 << 10

// DeliverHeld is Deliver for the deliverer, which flushes before it
// records what was sent: a round of thousands of reminders is written in
// a few large writes, not one each.
func (c *consoleChannel) DeliverHeld(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = appendConsole(c.held, m)
	if len(c.held) >= consoleHold {
		return c.flush()
	}
	return nil
}

// Flush writes what DeliverHeld holds.
func (c *consoleChannel) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flush()
}

func (c *consoleChannel) flush() error {
	if len(c.held) == 0 {
		return nil
	}
	_, err := c.w.Write(c.held)
	c.held = c.held[:0]
	if err != nil {
		return &Error{Channel: c.name, Msg: "write to standard output: " + err.Error(), Err: err}
	}
	return nil
}

// appendConsole appends m as the console shows it, without what could
// drive a terminal (a name is anyone's to write).
func appendConsole(b []byte, m Message) []byte {
	b = append(append(append(b, "== "...), terminal.Strip(m.Title)...), '\n')
	for _, line := range strings.Split(terminal.Strip(m.Text()), "\n") {
		if line != "" {
			b = append(append(b, "   "...), line...)
		}
		b = append(b, '\n')
	}
	return append(b, '\n')
}
