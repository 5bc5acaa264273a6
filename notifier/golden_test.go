package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/desktoptest"
	"github.com/rekindle/rekindle/internal/testsupport/everykind"
	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/smtptest"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
)

func reminderMessage(t *testing.T, cfg *config.Config, tmpl *compose.Templates, id string, at time.Time) Message {
	t.Helper()
	if id == "" {
		return compose.TestMessage("golden")
	}
	c, r := everykind.Due(t, cfg, id, at)
	m, err := tmpl.Render(compose.Reminder{Contact: c, Result: r, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGolden pins every reminder kind on every channel: what each server
// received is compared with testdata/golden/KIND.CHANNEL.
// UPDATE_GOLDEN=1 rewrites the files.
func TestGolden(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(everykind.People))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := compose.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	ctx := context.Background()

	ntfy := ntfytest.New()
	defer ntfy.Close()
	hook := webhooktest.New()
	defer hook.Close()
	smtp, err := smtptest.Start(smtptest.Plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer smtp.Close()
	needs.Program(t, "dbus", "dbus-daemon")
	bus, err := desktoptest.StartBus(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	desk, err := desktoptest.Serve(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	var console bytes.Buffer
	t.Setenv("REKINDLE_TEST_HOOK", hook.WebhookURL())
	svc := notifytest.StartAll(t)
	chans, err := config.Parse("chans.toml", []byte(fmt.Sprintf(`
[channels.ntfy]
type = "ntfy"
url = %q
topic = "t"
[channels.slack]
type = "slack"
webhook_url = "${REKINDLE_TEST_HOOK}"
[channels.email]
type = "email"
host = "127.0.0.1"
port = %d
tls = "none"
from = "rekindle <me@example.com>"
to = ["me@example.com"]
[channels.desktop]
type = "desktop"
[channels.console]
type = "console"
`, ntfy.URL, smtp.Port())+allConfig(svc)))
	if err != nil {
		t.Fatal(err)
	}
	built, err := FromConfig(chans, Options{Stdout: &console, DBusAddress: bus.Address, HTTPClient: svc.Client})
	if err != nil {
		t.Fatal(err)
	}

	for i, tc := range everykind.Cases {
		m := reminderMessage(t, cfg, tmpl, tc.ID, at)
		for _, name := range append([]string{"ntfy", "slack", "email", "desktop", "console"}, notifytest.Types...) {
			if err := built[name].Deliver(ctx, m); err != nil {
				t.Fatalf("%s on %s: %v", tc.Name, name, err)
			}
		}
		got := map[string]string{}
		n := ntfy.Received()[i]
		js, _ := json.MarshalIndent(n, "", "  ")
		got["ntfy"] = string(js)
		var pretty bytes.Buffer
		json.Indent(&pretty, hook.Raw()[i], "", "  ")
		got["slack"] = pretty.String()
		text, html := parseMail(t, smtp.Mail()[i].Data, map[string]string{"Subject": m.Title})
		got["email"] = "Subject: " + m.Title + "\n\n--- text/plain\n" + text + "\n--- text/html\n" + html
		d := desk.Received()[i]
		got["desktop"] = fmt.Sprintf("summary: %s\nurgency: %v\nbody:\n%s", d.Summary, d.Hints["urgency"].Value(), d.Body)
		got["console"] = console.String()
		console.Reset()
		for _, typ := range notifytest.Types {
			got[typ] = svc.Received(typ)[i]
		}
		for name, out := range got {
			golden(t, filepath.Join("testdata", "golden", tc.Name+"."+name), strings.ReplaceAll(out, "\r\n", "\n"))
		}
	}
}

// allConfig is a channel of each of notifytest's types, named after its
// type, on a's servers.
func allConfig(a *notifytest.All) string {
	var b strings.Builder
	for _, typ := range notifytest.Types {
		fmt.Fprintf(&b, "\n[channels.%s]\ntype = %q\n%s\n", typ, typ, a.Keys(typ))
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if !strings.HasSuffix(got, "\n") {
		got += "\n"
	}
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (UPDATE_GOLDEN=1 to rewrite):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
