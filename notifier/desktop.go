package notifier

import (
	"context"
	"errors"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["desktop"] = func(name string, spec config.ChannelSpec, o Options) Channel { return newDesktop(name, o) }
}

// The freedesktop.org notification service.
const (
	notifyService = "org.freedesktop.Notifications"
	notifyPath    = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyMethod  = notifyService + ".Notify"
)

// sessionBus is the session bus's address as libdbus and sd-bus find it:
// $DBUS_SESSION_BUS_ADDRESS, else the socket at $XDG_RUNTIME_DIR/bus, where
// systemd's user manager puts it (a user service may not inherit the
// variable).
func sessionBus() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		p := filepath.Join(dir, "bus")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + p
		}
	}
	return ""
}

// desktopChannel shows a notification on the user's Linux desktop through
// org.freedesktop.Notifications on the session bus. It needs the daemon to
// run in the user's session: `systemctl --user`.
type desktopChannel struct {
	name    string
	address string
	timeout time.Duration
}

func newDesktop(name string, o Options) *desktopChannel {
	return &desktopChannel{name: name, address: o.DBusAddress, timeout: o.Timeout}
}

// Name returns the channel's name.
func (d *desktopChannel) Name() string { return d.name }

// Type returns "desktop".
func (d *desktopChannel) Type() string { return "desktop" }

// Send implements notify.Notifier.
func (d *desktopChannel) Send(ctx context.Context, subject, message string) error {
	return d.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver shows m. Each send opens its own connection: reminders are few,
// and a desktop session may come and go between them.
func (d *desktopChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, d.timeout)
	defer cancel()
	addr := d.address
	if addr == "" {
		addr = sessionBus()
	}
	if addr == "" {
		return &Error{Channel: d.name, Retryable: true, Msg: "no session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus",
			Fix: "desktop notifications need rekindle to run in your desktop session: use the systemctl --user service"}
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return &Error{Channel: d.name, Retryable: true, Msg: "cannot reach the session bus: " + err.Error(),
			Fix: "is your desktop session running?", Err: err}
	}
	defer conn.Close()
	// Low or normal: "critical" notifications never expire, and nothing
	// rekindle says (a failing channel included) is worth a notice that
	// stays until dismissed. The category is rekindle's own, as the
	// specification asks of categories it does not list.
	urgency := byte(1) // normal
	if m.Priority > 0 && m.Priority <= 2 {
		urgency = 0
	}
	hints := map[string]dbus.Variant{
		"urgency":  dbus.MakeVariant(urgency),
		"category": dbus.MakeVariant("x-rekindle.reminder"),
	}
	obj := conn.Object(notifyService, notifyPath)
	// A server with "body-markup" reads a little HTML in the body, so the
	// text is escaped for it; any other shows the body as it is.
	body := m.Text()
	var caps []string
	if err := obj.CallWithContext(ctx, notifyService+".GetCapabilities", 0).Store(&caps); err == nil && slices.Contains(caps, "body-markup") {
		body = html.EscapeString(body)
	}
	call := obj.CallWithContext(ctx, notifyMethod, 0, "rekindle", uint32(0), "", m.Title, body, []string{}, hints, int32(-1))
	if call.Err == nil {
		return nil
	}
	var de dbus.Error
	if errors.As(call.Err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" {
		return &Error{Channel: d.name, Retryable: true, Msg: "no notification server is running on the session bus",
			Fix: "start your desktop's notification daemon", Err: call.Err}
	}
	// At the deadline the connection is closed under the call too (it was
	// opened with ctx), so the call may fail with a read on a closed
	// connection instead: the context says which it was.
	if errors.Is(call.Err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Channel: d.name, Retryable: true, Msg: "the notification server did not answer within the timeout", Err: call.Err,
			Fix: "the notification daemon seems stuck: restart it (dunst, mako, xfce4-notifyd or your desktop's own)"}
	}
	if errors.As(call.Err, &de) && (strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.Spawn.") || de.Name == "org.freedesktop.DBus.Error.NoReply") {
		return &Error{Channel: d.name, Retryable: true, Msg: "the notification daemon the session bus started did not run: " + call.Err.Error(), Err: call.Err,
			Fix: "a notification daemon needs your graphical session: run rekindle there (the systemctl --user service) with your desktop's notification daemon running"}
	}
	return &Error{Channel: d.name, Retryable: true, Msg: "the notification server refused the notification: " + call.Err.Error(), Err: call.Err,
		Fix: "check that notify-send shows a notification in your desktop session"}
}
