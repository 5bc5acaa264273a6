package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/desktoptest"
	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/smtptest"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
)

// TestTestNotifyEveryType runs test-notify on a config with one channel of
// every type, each pointed at its test server, and checks that each
// reports ok and that each server received the test message once. A type
// added to config without a channel here fails the test.
func TestTestNotifyEveryType(t *testing.T) {
	const title = "rekindle test message"
	ntfy := ntfytest.New()
	defer ntfy.Close()
	slack := webhooktest.New()
	defer slack.Close()
	mail, err := smtptest.Start(smtptest.Plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	svc := notifytest.StartAll(t)
	channels := map[string]string{
		"ntfy":    fmt.Sprintf("url = %q\ntopic = \"reminders\"", ntfy.URL),
		"slack":   fmt.Sprintf("webhook_url = %q", slack.WebhookURL()),
		"email":   fmt.Sprintf("host = \"127.0.0.1\"\nport = %d\ntls = \"none\"\nfrom = \"me@example.com\"\nto = [\"me@example.com\"]", mail.Port()),
		"console": "",
	}
	for _, typ := range notifytest.Types {
		channels[typ] = svc.Keys(typ)
	}
	var desktop *desktoptest.Server
	if _, err := exec.LookPath("dbus-daemon"); err == nil {
		bus, err := desktoptest.StartBus(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer bus.Close()
		if desktop, err = desktoptest.Serve(bus.Address); err != nil {
			t.Fatal(err)
		}
		defer desktop.Close()
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
		channels["desktop"] = ""
	} else if os.Getenv("CI") == "true" {
		t.Fatal("dbus-daemon not found: install Debian's dbus package (.ci/run does)")
	} else {
		t.Log("dbus-daemon not found: the desktop channel is left out (install Debian's dbus package)")
	}

	var cfg strings.Builder
	for _, typ := range config.ChannelTypes() {
		keys, ok := channels[typ]
		if !ok && typ == "desktop" && desktop == nil {
			continue
		}
		if !ok {
			t.Fatalf("channel type %q has no test server here", typ)
		}
		fmt.Fprintf(&cfg, "[channels.my-%s]\ntype = %q\n%s\n\n", typ, typ, keys)
	}
	cfg.WriteString("[[contact]]\nname = \"A\"\n")
	path := filepath.Join(t.TempDir(), "all.toml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, now: time.Now, httpClient: svc.Client}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.dispatch(ctx, []string{"--config", path, "test-notify"}); err != nil {
		t.Errorf("test-notify: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	for typ := range channels {
		if want := fmt.Sprintf("my-%s (%s): ok\n", typ, typ); !strings.Contains(stdout.String(), want) {
			t.Errorf("test-notify did not say %q:\n%s", want, stdout.String())
		}
	}

	// What each server received: the test message, once.
	has := func(s string) bool { return strings.Contains(s, title) }
	received := map[string][]string{}
	for _, m := range ntfy.Received() {
		received["ntfy"] = append(received["ntfy"], m.Title)
	}
	for _, p := range slack.Received() {
		received["slack"] = append(received["slack"], p.Text)
	}
	for _, m := range mail.Mail() {
		received["email"] = append(received["email"], string(m.Data))
	}
	for _, typ := range notifytest.Types {
		received[typ] = svc.Received(typ)
	}
	if desktop != nil {
		for _, n := range desktop.Received() {
			received["desktop"] = append(received["desktop"], n.Summary)
		}
	}
	received["console"] = []string{stdout.String()}
	for typ := range channels {
		got := received[typ]
		if len(got) != 1 || !has(got[0]) {
			t.Errorf("%s received %q; want one test message", typ, got)
		}
	}
}
