package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/deliver"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/notifier"
)

// TestReloadOffTheMainLoop: a reload that never finishes (a config read
// that hangs) leaves the daemon answering: it gives up at the deadline,
// keeps its config, and stops at once when asked.
func TestReloadOffTheMainLoop(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-11-30\n"), 0o600)
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
	stuck := make(chan struct{})
	defer close(stuck)
	d.load = func() (*live, error) { <-stuck; return nil, errors.New("unreachable") }
	d.reloadDeadline = 200 * time.Millisecond

	hup := make(chan os.Signal, 1)
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, hup) }()
	waitFor(t, "the start", 5*time.Second, func() bool { return strings.Contains(logs.String(), "rekindle started") })
	hup <- os.Interrupt
	waitFor(t, "the reload to be given up", 5*time.Second, func() bool {
		return strings.Contains(logs.String(), "config reload took too long; keeping the running config")
	})
	if n := len(d.cur.Load().cfg.Contacts); n != 1 {
		t.Errorf("the running config changed: %d contacts", n)
	}
	began := time.Now()
	cancel()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the daemon did not stop while a reload hung")
	}
	if took := time.Since(began); took > deliver.Grace+time.Second {
		t.Errorf("stopping took %v", took)
	}
}

// TestReloadOfAHostileConfigKeepsTheDaemon: the config (two million
// arrays behind a string the old check misread), saved over the config of
// a running daemon, is refused with its line and column, and the daemon
// keeps its config and runs on. Before, the decoder's stack overflow killed
// the daemon.
func TestReloadOfAHostileConfigKeepsTheDaemon(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-11-30\n"), 0o600)
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
	hup := make(chan os.Signal, 1)
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, hup) }()
	waitFor(t, "the start", 5*time.Second, func() bool { return strings.Contains(logs.String(), "rekindle started") })

	const n = 2000000
	hostile := `x = ["""q"""", ` + strings.Repeat("[", n) + strings.Repeat("]", n) + "]\n"
	os.WriteFile(cfg, []byte(hostile), 0o600)
	hup <- os.Interrupt
	waitFor(t, "the reload to be refused", 10*time.Second, func() bool {
		return strings.Contains(logs.String(), "config reload failed; keeping the running config")
	})
	if got := logs.String(); !strings.Contains(got, "where="+cfg+":1:47") || !strings.Contains(got, "nest more than 32 deep") {
		t.Errorf("the log does not say where and what: %s", got)
	}
	if n := len(d.cur.Load().cfg.Contacts); n != 1 {
		t.Errorf("the running config changed: %d contacts", n)
	}
	select {
	case err := <-ran:
		t.Fatalf("the daemon stopped: %v", err)
	default:
	}
}
