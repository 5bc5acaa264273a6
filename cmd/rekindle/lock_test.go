package main

// End-to-end tests of the state file's lock: one process at a time runs
// the schedule and sends (the daemon, or one run --once), the real binary
// twice over one state directory.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
)

// dueContacts is n contacts, each due (with max_per_run = 0 at the top of
// the config, all reminded in one run).
func dueContacts(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[[contact]]\nname = \"P%02d\"\nlast_interaction = 2026-01-01\n", i)
	}
	return b.String()
}

// TestTwoDaemonsOneStateFile starts two daemons on one state file at
// once, with 50 people due: 50 pushes, not 100, and the second daemon
// exits at once, naming the first one's pid.
func TestTwoDaemonsOneStateFile(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	e := newEnv(t, "max_per_run = 0\n"+ntfyConfig(srv.URL, dueContacts(50)))
	a, b := e.start(t), e.start(t)
	waitFor(t, "50 pushes", 20*time.Second, func() bool { return len(srv.Received()) >= 50 })
	var winner, loser *proc
	select {
	case <-a.exited:
		winner, loser = b, a
	case <-b.exited:
		winner, loser = a, b
	case <-time.After(5 * time.Second):
		t.Fatal("both daemons are still running")
	}
	if ee, ok := loser.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("the second daemon exited with %v; want exit 1", loser.err)
	}
	want := "rekindle: error: a rekindle daemon (pid " + strconv.Itoa(winner.cmd.Process.Pid) + ") is already running on the state file " +
		filepath.Join(e.state, "rekindle.db")
	if !strings.Contains(loser.stderr.String(), want) || !strings.Contains(loser.stderr.String(), "rekindle: hint: stop it first (kill ") {
		t.Errorf("the second daemon says:\n%s\nwant:\n%s", loser.stderr.String(), want)
	}
	select {
	case <-winner.exited:
		t.Fatalf("the first daemon stopped too: %v\n%s", winner.err, winner.stderr.String())
	default:
	}
	// Both have stopped now: whatever either would send was sent.
	winner.stop(t)
	if n := len(srv.Received()); n != 50 {
		t.Errorf("%d pushes for 50 people due; want 50", n)
	}
}

// TestRunOnceBesideDaemon: with a daemon running, run --once says so and
// sends nothing, even for someone the daemon has not reminded yet (added
// to the config after its run); a dry run, status and log work beside it.
// After kill -9 of the daemon, a new one starts.
func TestRunOnceBesideDaemon(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	cfg := "max_per_run = 0\n" + ntfyConfig(srv.URL, dueContacts(1))
	e := newEnv(t, cfg)
	d := e.start(t)
	waitFor(t, "the first run's push", 10*time.Second, func() bool { return len(srv.Received()) == 1 })
	e.write(t, cfg+"[[contact]]\nname = \"Newcomer\"\nlast_interaction = 2026-01-01\n")
	d.waitLog(t, "config reloaded", 10*time.Second)

	out, err := e.command(t, "run", "--once").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("run --once beside a daemon: exit %v; want 1\n%s", err, out)
	}
	want := "rekindle: error: a rekindle daemon (pid " + strconv.Itoa(d.cmd.Process.Pid) + ") is already running on the state file " +
		filepath.Join(e.state, "rekindle.db") + "; it runs the schedule and sends what is due itself, so this run --once sent nothing"
	if !strings.Contains(string(out), want) {
		t.Errorf("run --once says:\n%s\nwant:\n%s", out, want)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.Received()); n != 1 {
		t.Errorf("%d pushes after run --once beside the daemon; want still 1", n)
	}
	for _, args := range [][]string{
		{"run", "--once", "--at", time.Now().Add(48 * time.Hour).Format(time.RFC3339)},
		{"status"},
		{"log", "p00", "talked"},
	} {
		if out, err := e.command(t, args...).CombinedOutput(); err != nil {
			t.Errorf("%v beside the daemon: %v\n%s", args, err, out)
		}
	}

	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	again := e.start(t)
	again.waitLog(t, "rekindle started", 10*time.Second)
	b, _ := os.ReadFile(filepath.Join(e.state, "rekindle.db.lock"))
	if got, want := string(b), strconv.Itoa(again.cmd.Process.Pid)+" daemon\n"; got != want {
		t.Errorf("the lock file after the restart holds %q; want %q", got, want)
	}
	again.cmd.Process.Signal(syscall.SIGTERM)
	<-again.exited
	if again.err != nil {
		t.Errorf("the restarted daemon: %v\n%s", again.err, again.stderr.String())
	}
}

// TestLockFileRemovedUnderDaemon: the lock file deleted while a daemon
// runs (a cleaner of "stale" lock files, a careless rm) must not let a
// second daemon start on the same state file. Seen attacking the binary:
// the second daemon started, and its deliverer sent the first one's
// pending reminders too (89 pushes for 70).
func TestLockFileRemovedUnderDaemon(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	e := newEnv(t, "max_per_run = 0\n"+ntfyConfig(srv.URL, dueContacts(1)))
	a := e.start(t)
	waitFor(t, "the first push", 10*time.Second, func() bool { return len(srv.Received()) == 1 })
	lock := filepath.Join(e.state, "rekindle.db.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lock file made again", 5*time.Second, func() bool { _, err := os.Stat(lock); return err == nil })
	b := e.start(t)
	select {
	case <-b.exited:
	case <-time.After(5 * time.Second):
		t.Error("a second daemon runs on the state file after its lock file was removed")
		b.cmd.Process.Signal(syscall.SIGTERM)
		<-b.exited
	}
	want := "rekindle: error: a rekindle daemon (pid " + strconv.Itoa(a.cmd.Process.Pid) + ") is already running"
	if !strings.Contains(b.stderr.String(), want) {
		t.Errorf("the second daemon says:\n%s\nwant:\n%s", b.stderr.String(), want)
	}
	if !strings.Contains(a.stderr.String(), "made it again") {
		t.Errorf("the first daemon does not say it made its lock file again:\n%s", a.stderr.String())
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	<-a.exited
}
