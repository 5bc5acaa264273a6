package desktoptest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/rekindle/rekindle/internal/testsupport/needs"
)

// TestBusStartsNoInstalledService: a notification daemon installed on the
// machine (here a stand-in that dies at once, as dunst does without a
// display, with its service file where the system's session bus looks for
// them) is not started by a call on the test bus; the call
// finds no one there.
func TestBusStartsNoInstalledService(t *testing.T) {
	needs.Program(t, "dbus", "dbus-daemon")
	data := t.TempDir()
	marker := filepath.Join(data, "started")
	daemon := filepath.Join(data, "notifyd")
	if err := os.WriteFile(daemon, []byte("#!/bin/sh\necho started > "+marker+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	services := filepath.Join(data, "dbus-1", "services")
	os.MkdirAll(services, 0o755)
	service := "[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=" + daemon + "\n"
	if err := os.WriteFile(filepath.Join(services, "org.freedesktop.Notifications.service"), []byte(service), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_DATA_DIRS", data)

	bus, err := StartBus(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	call := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").
		CallWithContext(ctx, "org.freedesktop.Notifications.GetCapabilities", 0)
	var de dbus.Error
	if !errors.As(call.Err, &de) || de.Name != "org.freedesktop.DBus.Error.ServiceUnknown" {
		t.Errorf("a call with no server on the bus: %v; want ServiceUnknown", call.Err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the bus started the machine's notification daemon")
	}
}
