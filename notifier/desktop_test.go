package notifier

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/rekindle/rekindle/internal/testsupport/desktoptest"
	"github.com/rekindle/rekindle/internal/testsupport/needs"
)

// badServer owns the notification service and answers Notify with an
// error, or not before stall has passed.
type badServer struct {
	refuse *dbus.Error
	stall  time.Duration
}

func (s *badServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	time.Sleep(s.stall)
	return 0, s.refuse
}

func (s *badServer) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func serveBadly(t *testing.T, address string, s *badServer) {
	t.Helper()
	conn, err := dbus.Connect(address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Export(s, notifyPath, notifyService); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(notifyService, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own %s: %v (reply %v)", notifyService, err, reply)
	}
}

// TestDesktopFailuresSayWhatToDo: every way a notification server can fail
// a send comes with a hint: one that refuses the call, one that does not
// answer, one the bus could not start.
func TestDesktopFailuresSayWhatToDo(t *testing.T) {
	needs.Program(t, "dbus", "dbus-daemon")
	for _, c := range []struct {
		name   string
		server badServer
		msg    string
		hint   string
	}{
		{"refused", badServer{refuse: dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"display is gone"})}, "refused the notification", "notify-send"},
		{"stuck", badServer{stall: time.Second}, "did not answer within the timeout", "restart it"},
		{"died when started", badServer{refuse: dbus.NewError("org.freedesktop.DBus.Error.Spawn.ChildSignaled", []any{"Process org.freedesktop.Notifications received signal 5"})}, "did not run", "graphical session"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bus, err := desktoptest.StartBus(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer bus.Close()
			serveBadly(t, bus.Address, &c.server)
			ch := channel(t, "[channels.desk]\ntype = \"desktop\"\n", Options{DBusAddress: bus.Address, Timeout: 200 * time.Millisecond})
			e := failure(t, ch.Deliver(context.Background(), sample), true, c.msg)
			if !strings.Contains(e.Hint(), c.hint) {
				t.Errorf("hint %q; want one that says what to do (%q)", e.Hint(), c.hint)
			}
		})
	}
}
