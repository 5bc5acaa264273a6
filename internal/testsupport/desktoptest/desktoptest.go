// Package desktoptest runs a real session bus (dbus-daemon) for tests, and
// a small org.freedesktop.Notifications server on it that records every
// notification, as a desktop's notification daemon would show it.
package desktoptest

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Bus is a running dbus-daemon.
type Bus struct {
	Address string
	Dir     string // holds the socket, named "bus" as under $XDG_RUNTIME_DIR
	cmd     *exec.Cmd
}

// busConfig is the test bus's whole configuration: a session bus on one
// socket that lets its clients do anything, with no service directories
// and nothing included from the system's session.conf, so no call on it
// starts a program. The system's own config would let a call to
// org.freedesktop.Notifications start the machine's notification daemon
// (dunst, mako, xfce4-notifyd), which dies without a display and fails the
// test that expects no server there.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a session bus of its own (see busConfig) with its socket
// at dir/bus.
func StartBus(dir string) (*Bus, error) {
	path, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, fmt.Errorf("dbus-daemon not found (install Debian's dbus package): %w", err)
	}
	addr := "unix:path=" + filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, html.EscapeString(addr))), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard // it complains about fd limits it may not raise
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case a := <-line:
		if a == "" {
			cmd.Process.Kill()
			return nil, fmt.Errorf("dbus-daemon printed no address")
		}
		return &Bus{Address: a, Dir: dir, cmd: cmd}, nil
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("dbus-daemon did not start within 10s")
	}
}

// Close stops the bus.
func (b *Bus) Close() error {
	b.cmd.Process.Kill()
	b.cmd.Wait()
	return nil
}

// Notification is one Notify call.
type Notification struct {
	AppName    string
	ReplacesID uint32
	Icon       string
	Summary    string
	Body       string
	Actions    []string
	Hints      map[string]dbus.Variant
	Timeout    int32
}

// Server is a notification server on a bus.
type Server struct {
	conn *dbus.Conn
	caps []string
	mu   sync.Mutex
	got  []Notification
	next uint32
}

// Serve claims org.freedesktop.Notifications on the bus at address.
func Serve(address string) (*Server, error) {
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, err
	}
	s := &Server{conn: conn, caps: []string{"body"}}
	if err := conn.Export(s, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("cannot own org.freedesktop.Notifications: %v (reply %v)", err, reply)
	}
	return s, nil
}

// Notify implements the method of the specification.
func (s *Server) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.got = append(s.got, Notification{app, replaces, icon, summary, body, actions, hints, timeout})
	return s.next, nil
}

// GetCapabilities implements the method of the specification.
func (s *Server) GetCapabilities() ([]string, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.caps...), nil
}

// SetCapabilities sets what GetCapabilities answers; "body-markup" makes
// clients escape the body.
func (s *Server) SetCapabilities(caps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caps = caps
}

// GetServerInformation implements the method of the specification.
func (s *Server) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "desktoptest", "rekindle", "1.0", "1.2", nil
}

// Received returns the notifications shown.
func (s *Server) Received() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.got...)
}

// Close releases the name.
func (s *Server) Close() error { return s.conn.Close() }
