package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/notifier"
)

// TestStartLogNamesTheChannels: the start-up log names the channels the
// config sets up, two here, not three with the console that is built for
// every config; a config without channels says its reminders go to the
// console.
func TestStartLogNamesTheChannels(t *testing.T) {
	for _, c := range []struct{ name, config, want string }{
		{"two channels", `
[channels.phone]
type = "ntfy"
topic = "rekindle-test-topic-7f3a"
[channels.term]
type = "console"
[defaults]
channels = ["phone", "term"]
`, "channels=phone,term\n"},
		{"none", "", "channels=console\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.toml")
			os.WriteFile(cfg, []byte(c.config+"\n[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-11-30\n"), 0o600)
			t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
			t.Setenv("NOTIFY_SOCKET", "")
			var logs syncbuf.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d, err := newDaemon(ctx, cfg, log, time.Now, notifier.Options{Stdout: &logs})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ran := make(chan error, 1)
			go func() { ran <- d.Run(ctx, nil) }()
			waitFor(t, "the start", 5*time.Second, func() bool { return strings.Contains(logs.String(), "rekindle started") })
			cancel()
			<-ran
			line := logs.String()
			line = line[strings.Index(line, `msg="rekindle started"`):]
			line = line[:strings.IndexByte(line, '\n')+1]
			if !strings.Contains(line, c.want) {
				t.Errorf("start-up log: %s want %s", line, c.want)
			}
		})
	}
}
