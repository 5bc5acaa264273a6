package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/fulldisk"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
)

// envInt is the integer in the environment variable name, or def.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// TestDaemonKill9RepeatsAtMostOne kills the daemon with SIGKILL again and
// again while it delivers a long queue to ntfy, restarting it each time,
// and counts the messages the server received twice (by sequence id): a
// crash may repeat the one message its channel had in flight, never a
// batch. The figures of the issue come from a bigger run of the same test:
//
//	KILL_DELIVERIES=4000 KILL_TIMES=20 go test ./cmd/rekindle -run TestDaemonKill9RepeatsAtMostOne -v
func TestDaemonKill9RepeatsAtMostOne(t *testing.T) {
	t.Parallel()
	people, kills := envInt(t, "KILL_DELIVERIES", 150), envInt(t, "KILL_TIMES", 3)
	srv := ntfytest.New()
	defer srv.Close()
	var b strings.Builder
	for i := range people {
		fmt.Fprintf(&b, "[[contact]]\nname = \"P%05d\"\nlast_interaction = 2026-01-01\n", i)
	}
	e := newEnv(t, "max_per_run = 0\n"+ntfyConfig(srv.URL, b.String()))
	start := time.Now()
	for k := range kills {
		p := e.start(t)
		// Kill after an even share of the queue went out since the start.
		before := len(srv.Received())
		target := before + max(1, (people-before)/(kills-k+1))
		waitFor(t, fmt.Sprintf("delivery %d", target), 60*time.Second, func() bool {
			select {
			case <-p.exited:
				t.Fatalf("the daemon exited: %v", p.err)
			default:
			}
			return len(srv.Received()) >= target
		})
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
	p := e.start(t)
	seen := func() int {
		ids := map[string]bool{}
		for _, m := range srv.Received() {
			ids[m.SequenceID] = true
		}
		return len(ids)
	}
	waitFor(t, "every reminder", 120*time.Second, func() bool { return seen() == people })
	p.stop(t) // nothing more may come
	got := srv.Received()
	times := map[string]int{}
	for _, m := range got {
		if m.SequenceID == "" {
			t.Fatalf("a message without a sequence id: %q", m.Title)
		}
		times[m.SequenceID]++
	}
	doubles := len(got) - len(times)
	t.Logf("%d reminders, %d kills: %d received, %d sent twice (%.2f per kill), %v", people, kills, len(got), doubles,
		float64(doubles)/float64(kills), time.Since(start).Round(time.Millisecond))
	if len(times) != people {
		t.Errorf("%d distinct reminders received; want %d", len(times), people)
	}
	for id, n := range times {
		if n > 2 {
			t.Errorf("%s received %d times", id, n)
		}
	}
	if doubles > kills {
		t.Errorf("%d reminders sent twice over %d kills; want at most one per kill (the one in flight)", doubles, kills)
	}
	if n := len(srv.Notifications()); n != people {
		t.Errorf("the phone shows %d notifications; want %d", n, people)
	}
}

// TestDaemonFullDiskStop: the real daemon on a 400 KB tmpfs that fills up
// after the run: the first reminder goes out and cannot be recorded; a
// stop, a start on the still full disk and a start with room again send
// the five reminders five times in all, each once.
func TestDaemonFullDiskStop(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	people := ""
	for _, name := range []string{"Ada", "Ben", "Cleo", "Dan", "Eve"} {
		people += fmt.Sprintf("[[contact]]\nname = %q\nlast_interaction = 2026-10-20\n", name)
	}
	e := newEnv(t, ntfyConfig(srv.URL, people))
	if err := os.Mkdir(e.state, 0o700); err != nil {
		t.Fatal(err)
	}
	fulldisk.Mount(t, e.state)
	srv.Hold(1)
	p := e.start(t)
	waitFor(t, "the first send", 10*time.Second, func() bool { return srv.Holding() == 1 })
	filler := filepath.Join(e.state, "filler")
	fulldisk.Fill(t, filler)
	srv.Release()
	p.waitLog(t, "the state file could not record it", 10*time.Second)
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	if !strings.Contains(p.stderr.String(), "they are kept beside it") {
		t.Errorf("the stop does not say the record is kept:\n%s", p.stderr.String())
	}

	q := e.start(t) // the disk still full
	q.waitLog(t, "rekindle started", 10*time.Second)
	// Its deliverer has had a round (it tried to record what was kept,
	// and holds it); the stop lets any send under way finish.
	q.waitLog(t, "the state file still cannot record deliveries; holding them", 10*time.Second)
	q.cmd.Process.Signal(syscall.SIGTERM)
	<-q.exited
	if !strings.Contains(q.stderr.String(), "recording them, not sending them again") {
		t.Errorf("the start does not say it found the record kept:\n%s", q.stderr.String())
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("%d received after a start on the full disk; want still 1", n)
	}

	os.Remove(filler)
	r := e.start(t)
	waitFor(t, "five reminders", 20*time.Second, func() bool { return len(srv.Received()) >= 5 })
	r.stop(t) // nothing more may come
	got := srv.Received()
	t.Logf("pushes for the full-disk stop: %d for 5", len(got))
	for _, name := range []string{"Ada", "Ben", "Cleo", "Dan", "Eve"} {
		if n := count(got, name); n != 1 {
			t.Errorf("%s: %d messages; want 1", name, n)
		}
	}
}
