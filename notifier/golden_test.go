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
	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/smtptest"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
	"github.com/rekindle/rekindle/rules"
)

// The people, cases and reminderMessage below are the composer's test
// set-up (compose/render_test.go), repeated: the golden files pin what
// each channel makes of those same messages.

const people = `timezone = "Europe/Berlin"

[[contact]]
name = "Alice Moreau"
last_interaction = 2026-10-20
every = "2w"
interests = ["chess", "trail running"]
notes = "Started a new job in October."

[[contact]]
name = "Newcomer"

[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-20
notes = "We argued about the move. I was short with him."

[[contact]]
name = "Emil <the> Great & Co"
last_interaction = 2026-10-01
reached_out = [2026-11-25]
max_unanswered = 3

[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-25]
interests = ["climbing"]

[[contact]]
name = "Zed"
last_interaction = 2026-08-15
reached_out = [2026-11-20, 2026-11-25]

[[contact]]
name = "Ines Duarte"
last_interaction = 2026-11-25
birthday = 1989-12-02
interests = ["pottery"]

[[contact]]
name = "Olga"
last_interaction = 2026-09-01
fallout = 2026-11-28
birthday = "--12-01"
interests = ["sailing"]

[[contact]]
name = "Pat"
last_interaction = 2026-11-25
[contact.dates]
anniversary = 2020-12-02
"moved to Lisbon" = 2025-12-03
`

// cases are a reminder of every kind, and the variants that read
// differently: a first hello, a last try, the test message.
var cases = []struct {
	name, id string
}{
	{"check_in", "alice-moreau"},
	{"check_in-first", "newcomer"},
	{"cooldown_over", "bob"},
	{"follow_up", "emil-the-great-co"},
	{"follow_up-last-try", "dana"},
	{"let_be", "zed"},
	{"occasion", "ines-duarte"},
	{"occasion-quiet", "olga"},
	{"occasion-anniversary", "pat"},
	{"test", ""},
}

func reminderMessage(t *testing.T, cfg *config.Config, tmpl *compose.Templates, id string, at time.Time) Message {
	t.Helper()
	if id == "" {
		return compose.TestMessage("golden")
	}
	c, ok := cfg.Lookup(id)
	if !ok {
		t.Fatalf("no contact %s", id)
	}
	r := rules.Evaluate(c.Settings, &c.Dates, nil, at)
	if !r.IsDue(at) {
		t.Fatalf("%s is not due at %v: %s", id, at, r.Reason(at))
	}
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
	cfg, err := config.Parse("people.toml", []byte(people))
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

	for i, tc := range cases {
		m := reminderMessage(t, cfg, tmpl, tc.id, at)
		for _, name := range append([]string{"ntfy", "slack", "email", "desktop", "console"}, notifytest.Types...) {
			if err := built[name].Deliver(ctx, m); err != nil {
				t.Fatalf("%s on %s: %v", tc.name, name, err)
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
			golden(t, filepath.Join("testdata", "golden", tc.name+"."+name), strings.ReplaceAll(out, "\r\n", "\n"))
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
