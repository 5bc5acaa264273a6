package main

// End-to-end tests of the daemon: the real binary, real SQLite state, and
// the channel test servers, with every message counted exactly.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/bin"
	"github.com/rekindle/rekindle/internal/testsupport/dovecottest"
	"github.com/rekindle/rekindle/internal/testsupport/loopback"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds rekindle once for all end-to-end tests (and for web's
// tests, which run it too: bin keeps one, up to date).
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(build)
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func build() { binPath, buildErr = bin.Rekindle() }

type proc struct {
	cmd    *exec.Cmd
	stdout syncbuf.Buffer
	stderr syncbuf.Buffer
	exited chan struct{}
	err    error
}

// env is an end-to-end setup: a config file and a state directory.
type env struct {
	dir, config, state string
	extra              []string
}

func newEnv(t *testing.T, config string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir, config: filepath.Join(dir, "config.toml"), state: filepath.Join(dir, "state")}
	e.write(t, config)
	return e
}

func (e *env) write(t *testing.T, config string) {
	t.Helper()
	// Write and rename, as editors do.
	tmp := e.config + ".new"
	if err := os.WriteFile(tmp, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, e.config); err != nil {
		t.Fatal(err)
	}
}

func (e *env) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), append([]string{"--config", e.config}, args...)...)
	cmd.Env = append(os.Environ(), "STATE_DIRECTORY="+e.state, "NOTIFY_SOCKET=", "JOURNAL_STREAM=", "TZ=UTC")
	cmd.Env = append(cmd.Env, e.extra...)
	return cmd
}

// once runs `rekindle run --once` as if at `at`: the real command, in
// this process with its clock set, since --at is a dry run. The caller
// may not run in parallel (the state directory is set in the environment);
// a process of its own for each run costs twice the CPU, and the suite is
// bound by CPU on two cores.
func (e *env) once(t *testing.T, at string) string {
	t.Helper()
	now, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("STATE_DIRECTORY", e.state)
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("JOURNAL_STREAM", "")
	for _, kv := range e.extra {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var out bytes.Buffer
	if code := runAt([]string{"--config", e.config, "run", "--once"}, &out, &out, func() time.Time { return now }); code != 0 {
		t.Fatalf("run --once at %s: exit %d\n%s", at, code, out.String())
	}
	return out.String()
}

func (e *env) start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: e.command(t, append([]string{"run"}, args...)...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		if t.Failed() {
			p.cmd.Process.Signal(syscall.SIGQUIT)
			time.Sleep(time.Second)
		}
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("daemon log:\n%s", p.stderr.String())
		}
	})
	return p
}

// waitFor polls cond until it holds, failing after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the daemon to exit: from then on
// nothing more can be sent, so a count taken after it is final.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop within 30 s of SIGTERM")
	}
	if p.err != nil {
		t.Errorf("the daemon stopped with %v", p.err)
	}
}

func (p *proc) waitLog(t *testing.T, substr string, timeout time.Duration) {
	t.Helper()
	waitFor(t, fmt.Sprintf("log line %q", substr), timeout, func() bool { return strings.Contains(p.stderr.String(), substr) })
}

func count(msgs []ntfytest.Message, title string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Title, title) {
			n++
		}
	}
	return n
}

func ntfyConfig(url, extra string) string {
	return fmt.Sprintf("timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\n\n[channels.phone]\ntype = \"ntfy\"\nurl = %q\ntopic = \"reminders\"\n%s\n", url, extra)
}

// TestDaemonExactlyOncePerEpisode runs a month of daily runs, each twice
// (as a restart would), and counts every message.
func TestDaemonExactlyOncePerEpisode(t *testing.T) {
	srv := ntfytest.New()
	defer srv.Close()
	e := newEnv(t, ntfyConfig(srv.URL, `
[[contact]]
name = "Alice"
last_interaction = 2026-07-20
remind_again = "0"

[[contact]]
name = "Bob"
last_interaction = 2026-07-01
reached_out = [2026-08-28, 2026-08-30]

[[contact]]
name = "Carl"
last_interaction = 2026-08-20
every = "2w"
remind_again = "1w"
`))
	// September 2026 (in the past: events may not be logged ahead of now).
	for day := 1; day <= 30; day++ {
		at := fmt.Sprintf("2026-09-%02dT09:00:00+02:00", day)
		e.once(t, at)
		e.once(t, at)
		if day == 20 {
			// Carl answers: his episode ends; the next starts 2 weeks later.
			out, err := e.command(t, "log", "carl", "talked", "--at", "2026-09-20").CombinedOutput()
			if err != nil {
				t.Fatalf("log: %v\n%s", err, out)
			}
		}
	}
	got := srv.Received()
	// Alice: once (remind_again 0). Bob: one let-be notice. Carl: due 09-03,
	// again 09-10 (remind_again), the next would wait twice as long (09-24);
	// talked on 09-20, due again 10-04 (outside).
	for _, c := range []struct {
		title string
		want  int
	}{{"Alice", 1}, {"Let Bob be", 1}, {"Carl", 2}} {
		if n := count(got, c.title); n != c.want {
			t.Errorf("%q: %d messages; want %d", c.title, n, c.want)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d messages in all; want 4", len(got))
	}
}

// TestDaemonKill9MidDelivery kills the daemon while the channel holds the
// request unanswered: nothing was accepted, and after a restart the
// reminder arrives exactly once.
func TestDaemonKill9MidDelivery(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.Hold(1)
	e := newEnv(t, ntfyConfig(srv.URL, "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n"))
	p := e.start(t)
	waitFor(t, "the send to be under way", 10*time.Second, func() bool { return srv.Holding() == 1 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	waitFor(t, "the server to see the client go", 5*time.Second, func() bool { return srv.Holding() == 0 })
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("%d accepted before the crash; want 0", n)
	}

	q := e.start(t)
	q.waitLog(t, "msg=delivered", 10*time.Second)
	waitFor(t, "one message", 5*time.Second, func() bool { return len(srv.Received()) == 1 })
	q.stop(t) // nothing more may come
	if n := len(srv.Received()); n != 1 {
		t.Errorf("%d messages after the restart; want exactly 1", n)
	}
}

// TestDaemonRetries503 answers 503 once; after a real backoff the message
// arrives, once.
func TestDaemonRetries503(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	// One 503 and one real backoff of about 5 s: the doubling and the
	// Retry-After rules are pinned, in fake time, by the deliverer's tests.
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	e := newEnv(t, ntfyConfig(srv.URL, "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n"))
	p := e.start(t)
	waitFor(t, "the message", 20*time.Second, func() bool { return len(srv.Received()) == 1 })
	p.stop(t)
	if n, r := len(srv.Received()), srv.Requests(); n != 1 || r != 2 {
		t.Errorf("%d accepted in %d requests; want 1 in 2", n, r)
	}
	if c := strings.Count(p.stderr.String(), "will retry"); c != 1 {
		t.Errorf("%d retries logged; want 1", c)
	}
}

// TestDaemonReplyByMailEndsFollowUp is the whole loop of learning from
// mail: a follow-up for Dana waits in the outbox (ntfy answered 503), her
// reply lands in the Maildir, the daemon learns it without any command,
// and the follow-up is cancelled, never sent.
func TestDaemonReplyByMailEndsFollowUp(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	e := newEnv(t, "")
	mail := filepath.Join(e.dir, "mail")
	for _, d := range []string{"INBOX/cur", "INBOX/new", "INBOX/tmp", "Sent/cur", "Sent/new"} {
		os.MkdirAll(filepath.Join(mail, d), 0o700)
	}
	reached := time.Now().AddDate(0, 0, -5).Format("2006-01-02")
	e.write(t, ntfyConfig(srv.URL, "[sources.home]\ntype = \"maildir\"\npath = \"mail\"\ninterval = \"1h\"\n")+
		"[[contact]]\nname = \"Dana\"\nemail = [\"dana@example.org\"]\nlast_interaction = 2026-01-01\nreached_out = ["+reached+"]\n")
	p := e.start(t)
	waitFor(t, "the first try", 10*time.Second, func() bool { return srv.Requests() == 1 })

	reply := fmt.Sprintf("From: Dana <dana@example.org>\r\nTo: me@example.net\r\nDate: %s\r\nMessage-ID: <reply@example.org>\r\nSubject: private\r\n\r\nhi!\r\n",
		time.Now().Add(-time.Minute).Format(time.RFC1123Z))
	os.WriteFile(filepath.Join(mail, "INBOX/tmp/1.host"), []byte(reply), 0o600)
	os.Rename(filepath.Join(mail, "INBOX/tmp/1.host"), filepath.Join(mail, "INBOX/new/1.host"))
	p.waitLog(t, `msg="learned from mail" source=home read=1 used=1`, 10*time.Second)
	p.waitLog(t, `msg="cancelled a pending reminder" contact=dana kind=follow_up channel=phone why="no longer due: replied by email on`, 15*time.Second)
	p.stop(t)
	if n := len(srv.Received()); n != 0 {
		t.Errorf("ntfy received %d; the follow-up went out after her reply", n)
	}
	if strings.Contains(p.stderr.String(), "private") || strings.Contains(p.stderr.String(), "dana@example.org") {
		t.Errorf("the log shows the mail:\n%s", p.stderr.String())
	}
}

// TestDaemonReplyByIMAPEndsFollowUp: the same loop through a real Dovecot:
// the reply lands in the IMAP inbox, the daemon hears of it while idle
// (its interval is an hour), learns it and cancels the waiting follow-up.
func TestDaemonReplyByIMAPEndsFollowUp(t *testing.T) {
	t.Parallel()
	d := dovecottest.Start(t)
	srv := ntfytest.New()
	defer srv.Close()
	// ntfy refuses the first tries, so the follow-up waits in the outbox
	// (5 s, then 10 and 20 between tries) while the watch idles and her
	// reply comes: on a busy machine that takes longer than one backoff.
	srv.FailNext(3, http.StatusServiceUnavailable, "")
	e := newEnv(t, "")
	reached := time.Now().AddDate(0, 0, -5).Format("2006-01-02")
	e.write(t, ntfyConfig(srv.URL, fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %d\nusername = %q\npassword = %q\nca_file = %q\ninterval = \"1h\"\n",
		d.Host, d.IMAPS, d.User, d.Password, d.CAFile))+
		"[[contact]]\nname = \"Dana\"\nemail = [\"dana@example.org\"]\nlast_interaction = 2026-01-01\nreached_out = ["+reached+"]\n")
	p := e.start(t)
	waitFor(t, "the first try", 10*time.Second, func() bool { return srv.Requests() == 1 })
	p.waitLog(t, "rekindle started", 5*time.Second)
	d.WaitIdle(t, 15*time.Second) // the watch connects and idles
	reply := fmt.Sprintf("From: Dana <dana@example.org>\r\nTo: me@example.net\r\nDate: %s\r\nMessage-ID: <imap-reply@example.org>\r\nSubject: private\r\n\r\nhi!\r\n",
		time.Now().Add(-time.Minute).Format(time.RFC1123Z))
	d.Deliver(t, "INBOX", "1.reply", []byte(reply))
	p.waitLog(t, `msg="learned from mail" source=work read=1 used=1`, 15*time.Second)
	p.waitLog(t, `msg="cancelled a pending reminder" contact=dana kind=follow_up channel=phone why="no longer due: replied by email on`, 40*time.Second)
	p.stop(t)
	if n := len(srv.Received()); n != 0 {
		t.Errorf("ntfy received %d; the follow-up went out after her reply", n)
	}
	if strings.Contains(p.stderr.String(), d.Password) {
		t.Error("the log shows the password")
	}
}

// TestDaemonBrokenChannelIsolated: ntfy refuses the token for good; Slack
// still gets its reminder, and one notice about ntfy.
func TestDaemonBrokenChannelIsolated(t *testing.T) {
	srv := ntfytest.New()
	defer srv.Close()
	srv.RequireToken("tk_right", "reminders")
	hook := webhooktest.New()
	defer hook.Close()
	e := newEnv(t, ntfyConfig(srv.URL, "token = \"tk_wrong\"\n[channels.team]\ntype = \"slack\"\nwebhook_url = \"${HOOK}\"\n")+
		"[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n")
	e.extra = []string{"HOOK=" + hook.WebhookURL()}
	out := e.once(t, "2026-12-01T09:00:00+01:00")
	got := hook.Received()
	if len(got) != 2 || !strings.Contains(got[0].Text+got[1].Text, "Alice") || !strings.Contains(got[0].Text+got[1].Text, "channel phone is failing") {
		t.Errorf("slack received %d: %+v\nlog:\n%s", len(got), got, out)
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("ntfy accepted %d", n)
	}
	if !strings.Contains(out, "delivery failed for good") || strings.Contains(out, "tk_wrong") {
		t.Errorf("log:\n%s", out)
	}
	// status and history show the failure.
	st, _ := e.command(t, "status", "--at", "2026-12-01T10:00:00+01:00").CombinedOutput()
	hist, _ := e.command(t, "history", "alice").CombinedOutput()
	if !strings.Contains(string(st), "delivery to phone failed") || !strings.Contains(string(hist), "failed") {
		t.Errorf("status:\n%s\nhistory:\n%s", st, hist)
	}
	// A later run does not send the notice again.
	e.once(t, "2026-12-02T09:00:00+01:00")
	if n := len(hook.Received()); n != 2 {
		t.Errorf("slack received %d after a second run; want still 2", n)
	}
}

const everySecond = "timezone = \"Europe/Berlin\"\nschedule = \"* * * * * *\"\n[channels.phone]\ntype = \"ntfy\"\nurl = %q\ntopic = \"reminders\"\n[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\nremind_again = \"0\"\n"

// TestDaemonReload: SIGHUP (with the file changed where no watcher sees it)
// and a file edit each bring a new contact in; a broken edit is logged with
// its position and the daemon goes on with the old config.
func TestDaemonReload(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	e := newEnv(t, "")
	// The config is a symlink to a file elsewhere, so changing that file is
	// invisible to the watcher: only SIGHUP can bring it in.
	real := filepath.Join(t.TempDir(), "real.toml")
	base := fmt.Sprintf(everySecond, srv.URL)
	os.WriteFile(real, []byte(base), 0o644)
	os.Remove(e.config)
	os.Symlink(real, e.config)
	p := e.start(t)
	waitFor(t, "Alice", 10*time.Second, func() bool { return count(srv.Received(), "Alice") == 1 })

	// Two runs (one a second) after the change, on the old config.
	runs := strings.Count(p.stderr.String(), "msg=run ")
	os.WriteFile(real, []byte(base+"[[contact]]\nname = \"Bob\"\n"), 0o644)
	waitFor(t, "two more runs", 10*time.Second, func() bool { return strings.Count(p.stderr.String(), "msg=run ") >= runs+2 })
	if count(srv.Received(), "Bob") != 0 {
		t.Fatal("Bob arrived without a reload")
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLog(t, `msg="config reloaded" why=SIGHUP`, 5*time.Second)
	waitFor(t, "Bob", 10*time.Second, func() bool { return count(srv.Received(), "Bob") == 1 })

	// A broken config: logged with file:line:col, the old one keeps going.
	os.Remove(e.config)
	e.write(t, base+"[[contact]]\nname = \"Bob\"\n[[contact]]\nname = \"Carl\"\nevery = \"3x\"\n")
	p.waitLog(t, `msg="config reload failed; keeping the running config" why="config file changed"`, 5*time.Second)
	if !regexp.MustCompile(`where=\S+/config.toml:\d+:1 key="contact\[2\] \(Carl\).every"`).MatchString(p.stderr.String()) {
		t.Errorf("the failure does not name the place:\n%s", p.stderr.String())
	}
	// Fixed by an editor-style rename: Carl arrives.
	e.write(t, base+"[[contact]]\nname = \"Bob\"\n[[contact]]\nname = \"Carl\"\nevery = \"3d\"\n")
	waitFor(t, "Carl", 10*time.Second, func() bool { return count(srv.Received(), "Carl") == 1 })
	if n := len(srv.Received()); n != 3 {
		t.Errorf("%d messages; want 3, one per person", n)
	}
	select {
	case <-p.exited:
		t.Fatalf("the daemon died: %v", p.err)
	default:
	}
}

// TestDaemonReloadsIncludedFiles: a new file that an include pattern
// matches brings its people in without a signal; a broken one is logged
// at its own file and line, and the running config stays.
func TestDaemonReloadsIncludedFiles(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	e := newEnv(t, "include = [\"people/*.toml\"]\n"+fmt.Sprintf(everySecond, srv.URL))
	people := filepath.Join(e.dir, "people")
	os.Mkdir(people, 0o755)
	os.WriteFile(filepath.Join(people, "a.toml"), []byte("[[contact]]\nname = \"Bea\"\nlast_interaction = 2026-10-20\n"), 0o644)
	p := e.start(t)
	waitFor(t, "Alice and Bea", 10*time.Second, func() bool {
		return count(srv.Received(), "Alice") == 1 && count(srv.Received(), "Bea") == 1
	})

	os.WriteFile(filepath.Join(people, "b.toml.tmp"), []byte("[[contact]]\nname = \"Cy\"\nlast_interaction = 2026-10-20\n"), 0o644)
	os.Rename(filepath.Join(people, "b.toml.tmp"), filepath.Join(people, "b.toml"))
	p.waitLog(t, `msg="config reloaded" why="config file changed" contacts=3`, 5*time.Second)
	waitFor(t, "Cy", 10*time.Second, func() bool { return count(srv.Received(), "Cy") == 1 })

	os.WriteFile(filepath.Join(people, "b.toml"), []byte("[[contact]]\nname = \"Cy\"\n\n[[contact]]\nname = \"Dee\"\nevery = \"3x\"\n"), 0o644)
	p.waitLog(t, `msg="config reload failed; keeping the running config" why="config file changed"`, 5*time.Second)
	if !regexp.MustCompile(`where=\S+/people/b.toml:6:1 key="contact\[1\] \(Dee\).every"`).MatchString(p.stderr.String()) {
		t.Errorf("the failure does not name the included file's line:\n%s", p.stderr.String())
	}
}

// TestDaemonStops: SIGTERM stops the daemon with exit 0, quickly, and the
// systemd notify protocol is spoken along the way.
func TestDaemonStops(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mu sync.Mutex
	var notes []string
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			notes = append(notes, string(buf[:n]))
			mu.Unlock()
		}
	}()
	saw := func(prefix string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, n := range notes {
			if strings.HasPrefix(n, prefix) {
				return true
			}
		}
		return false
	}
	e := newEnv(t, "[[contact]]\nname = \"Alice\"\n")
	cmd := e.command(t, "run")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=1000000")
	q := &proc{cmd: cmd, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &q.stdout, &q.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { q.err = cmd.Wait(); close(q.exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-q.exited })
	waitFor(t, "READY=1", 10*time.Second, func() bool { return saw("READY=1") })
	waitFor(t, "WATCHDOG=1", 5*time.Second, func() bool { return saw("WATCHDOG=1") })
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "RELOADING=1", 5*time.Second, func() bool { return saw("RELOADING=1\nMONOTONIC_USEC=") })
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-q.exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 10s of SIGTERM")
	}
	if q.err != nil || time.Since(start) > 6*time.Second {
		t.Errorf("exit %v after %v; want 0 within the 5s grace", q.err, time.Since(start))
	}
	if !saw("STOPPING=1") {
		t.Error("no STOPPING=1")
	}
}

// TestNtfyActionRoundTrip: the phone gets a reminder with buttons; the test
// taps "Reached out" exactly as the ntfy app would (method, URL, headers,
// body), and rekindle then shows Alice waiting for a reply.
func TestNtfyActionRoundTrip(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	port := loopback.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	e := newEnv(t, fmt.Sprintf(`timezone = "Europe/Berlin"
listen = "127.0.0.1:%d"
public_url = %q
api_token = "round-trip-token-0123456789"

[channels.phone]
type = "ntfy"
url = %q
topic = "reminders"

[[contact]]
name = "Alice"
last_interaction = 2026-10-20

[[contact]]
name = "Bob"
last_interaction = 2026-11-30
every = "0"
`, port, base, srv.URL))
	p := e.start(t)
	p.waitLog(t, "msg=serving", 10*time.Second)
	waitFor(t, "the reminder", 10*time.Second, func() bool { return len(srv.Received()) == 1 })
	m := srv.Received()[0]
	if len(m.Actions) != 3 || m.Actions[0].Label != "Reached out" || m.Actions[1].Label != "Talked" || m.Actions[2].Label != "Snooze 3d" {
		t.Fatalf("actions %+v", m.Actions)
	}
	if !strings.HasPrefix(m.Click, base+"/people/alice?t=") {
		t.Errorf("click %q; want a signed link to Alice's page", m.Click)
	}
	// The api_token never leaves the machine: not in the buttons (each has
	// a credential of its own), not in the state file.
	raw, _ := json.Marshal(m)
	if bytes.Contains(raw, []byte("round-trip-token-0123456789")) {
		t.Errorf("the notification carries the api_token: %s", raw)
	}
	files, _ := filepath.Glob(filepath.Join(e.state, "*"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		if bytes.Contains(b, []byte("round-trip-token-0123456789")) {
			t.Errorf("%s holds the api_token", name)
		}
	}
	tap := func(a ntfytest.Action, url string) int {
		t.Helper()
		req, _ := http.NewRequest(a.Method, url, strings.NewReader(a.Body))
		for k, v := range a.Headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A button's credential does one thing: not another action, not
	// another person, not the API.
	talked := m.Actions[1]
	if code := tap(talked, strings.Replace(talked.URL, "/talked", "/reached-out", 1)); code != http.StatusUnauthorized {
		t.Errorf("Talked's credential on reached-out: %d; want 401", code)
	}
	if code := tap(talked, strings.Replace(talked.URL, "/act/alice/", "/act/bob/", 1)); code != http.StatusUnauthorized {
		t.Errorf("Alice's credential on Bob: %d; want 401", code)
	}
	if code := tap(ntfytest.Action{Method: "POST", Headers: talked.Headers, Body: `{"kind":"talked"}`}, base+"/api/contacts/alice/events"); code != http.StatusUnauthorized {
		t.Errorf("a button's credential on the API: %d; want 401", code)
	}

	// Tap "Reached out".
	a := m.Actions[0]
	if a.Action != "http" || !a.Clear {
		t.Errorf("action %+v; want an http action that clears the notification", a)
	}
	if code := tap(a, a.URL); code != http.StatusCreated {
		t.Fatalf("the action got %d; ntfy treats anything but 2xx as a failed tap", code)
	}
	out, err := e.command(t, "status", "--json").CombinedOutput()
	if err != nil || !regexp.MustCompile(`"id": "alice",[^}]+"state": "waiting"`).Match(out) {
		t.Errorf("after the tap, status: %v\n%s", err, out)
	}
	// A second tap of the same button records nothing, and answers 2xx so
	// that the phone clears the notification.
	if code := tap(a, a.URL); code != http.StatusOK {
		t.Errorf("the second tap got %d; want 200, already recorded", code)
	}
	hist, _ := e.command(t, "history", "alice").CombinedOutput()
	if strings.Count(string(hist), "reached-out (phone)") != 1 {
		t.Errorf("history; want one reached-out from the phone:\n%s", hist)
	}

	// The click link opens the dashboard: it sets a session and redirects.
	jar := &cookieJar{}
	client := &http.Client{Jar: jar}
	page, err := client.Get(m.Click)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(body), "<h1>Alice</h1>") {
		t.Errorf("the link opened %d:\n%.300s", page.StatusCode, body)
	}
	// Its session is Alice's alone: with it, Bob's let-be is refused (the
	// jar sends every cookie everywhere, as an attacker would).
	letBe, err := client.Post(base+"/api/contacts/bob/let-be", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	letBe.Body.Close()
	if letBe.StatusCode != http.StatusUnauthorized {
		t.Errorf("Bob's let-be with Alice's link's session: %d; want 401", letBe.StatusCode)
	}
}

// cookieJar is the smallest jar that keeps the session cookie.
type cookieJar struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

func (j *cookieJar) SetCookies(u *url.URL, c []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cookies = append(j.cookies, c...)
}

func (j *cookieJar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cookies
}

// TestDaemonBusyPort: a port already taken fails the start, clearly.
func TestDaemonBusyPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e := newEnv(t, fmt.Sprintf("listen = %q\n[[contact]]\nname = \"A\"\n", ln.Addr().String()))
	out, err := e.command(t, "run").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v; want 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "rekindle: error: listen on "+ln.Addr().String()) || !strings.Contains(string(out), "address already in use") {
		t.Errorf("output:\n%s", out)
	}
}

// TestDaemonStopsWhenStateFileReplaced: deleting the state file under a
// running daemon, then letting the command line create a new one, stops the
// daemon with a clear error instead of writing to a file nobody reads.
func TestDaemonStopsWhenStateFileReplaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-11-30\n")
	p := e.start(t)
	p.waitLog(t, "rekindle started", 10*time.Second)
	db := filepath.Join(e.state, "rekindle.db")
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		os.Remove(f)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the daemon went on after its state file was deleted")
	}
	if p.err == nil {
		t.Error("exit 0; want a failure so that systemd restarts it on the new file")
	}
	if s := p.stderr.String(); !strings.Contains(s, "the state file was deleted or replaced") || !strings.Contains(s, "restart rekindle") {
		t.Errorf("no clear error in the log:\n%s", s)
	}
}

// TestDaemonMetrics: a greedy Retry-After is capped and shown; every
// channel's counters exist at 0 from the start; the last run survives a
// restart; build info is there.
func TestDaemonMetrics(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests, "999999999")
	port := loopback.FreePort(t)
	e := newEnv(t, fmt.Sprintf("listen = \"127.0.0.1:%d\"\n", port)+ntfyConfig(srv.URL, fmt.Sprintf("[channels.spare]\ntype = \"ntfy\"\nurl = %q\ntopic = \"spare\"\n", srv.URL))+
		"[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\nchannels = [\"phone\"]\n")
	metrics := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	p := e.start(t)
	p.waitLog(t, "capped", 10*time.Second)
	m := metrics()
	for _, want := range []string{
		`rekindle_channel_retry_after_capped_seconds{channel="phone"} 9.99999999e+08`,
		`rekindle_channel_failures_in_a_row{channel="phone"} 1`,
		`rekindle_channel_backoff_until_timestamp_seconds{channel="phone"}`,
		`rekindle_deliveries_total{channel="spare",outcome="sent"} 0`,
		`rekindle_reminders_total{kind="cooldown_over"} 0`,
		`rekindle_build_info{goversion="go`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	st, _ := e.command(t, "status").CombinedOutput()
	if !strings.Contains(string(st), "delivery to phone failed for now") || !strings.Contains(string(st), "capped at 6h0m0s") {
		t.Errorf("status does not show the capped wait:\n%s", st)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited

	q := e.start(t)
	q.waitLog(t, "msg=serving", 10*time.Second)
	re := regexp.MustCompile(`(?m)^rekindle_last_run_timestamp_seconds (\S+)$`)
	got := re.FindStringSubmatch(metrics())
	if got == nil || got[1] == "0" {
		t.Errorf("after a restart, last run %v; want the run on record", got)
	}
}

// TestDaemonKill9AfterAccept: the one window for a duplicate. The server
// accepts the reminder, the daemon is killed before it hears so (and before
// it records it); after the restart the reminder is sent again, under the
// same sequence id, so the phone shows it once.
func TestDaemonKill9AfterAccept(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.AcceptThenHold(1)
	e := newEnv(t, ntfyConfig(srv.URL, "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n"))
	p := e.start(t)
	waitFor(t, "the send to be accepted and held", 10*time.Second, func() bool { return srv.Holding() == 1 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	waitFor(t, "the server to see the client go", 5*time.Second, func() bool { return srv.Holding() == 0 })

	q := e.start(t)
	q.waitLog(t, "msg=delivered", 10*time.Second)
	waitFor(t, "the repeat", 5*time.Second, func() bool { return len(srv.Received()) == 2 })
	q.stop(t) // nothing more may come
	got := srv.Received()
	if len(got) != 2 || got[0].SequenceID == "" || got[0].SequenceID != got[1].SequenceID {
		t.Fatalf("received %d, sequence ids %q / %q; want the repeat under the first one's id", len(got), got[0].SequenceID, got[len(got)-1].SequenceID)
	}
	if n := len(srv.Notifications()); n != 1 {
		t.Errorf("the phone shows %d notifications; want 1", n)
	}
	// One zone in the log, the config's (Europe/Berlin), stamps included,
	// though the machine's is UTC.
	logs := p.stderr.String() + q.stderr.String()
	if !regexp.MustCompile(`time=\S+\+0[12]:00 level=INFO msg="rekindle started"`).MatchString(logs) ||
		regexp.MustCompile(`time=\S+Z `).MatchString(logs) || !regexp.MustCompile(`slot=\S+\+0[12]:00`).MatchString(logs) {
		t.Errorf("log lines in more than one zone:\n%s", logs)
	}
}

// TestDaemonPendingFollowsTheConfig: a pending reminder whose channel is
// renamed in the config goes to the new name; one whose person leaves the
// config is cancelled. Each leaves a log line.
func TestDaemonPendingFollowsTheConfig(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	people := "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n[[contact]]\nname = \"Bob\"\nlast_interaction = 2026-10-20\n"
	e := newEnv(t, ntfyConfig(srv.URL, "")+people)
	p := e.start(t)
	p.waitLog(t, "will retry", 10*time.Second)
	// Rename the channel, and let Bob go.
	renamed := strings.Replace(ntfyConfig(srv.URL, ""), "[channels.phone]", "[channels.mobile]", 1)
	e.write(t, renamed+"[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-10-20\n")
	p.waitLog(t, "config reloaded", 10*time.Second)
	waitFor(t, "Alice's reminder", 30*time.Second, func() bool { return count(srv.Received(), "Alice") == 1 })
	p.stop(t)
	if n := count(srv.Received(), "Bob"); n != 0 {
		t.Errorf("Bob, no longer in the config, got %d reminders", n)
	}
	logs := p.stderr.String()
	if !strings.Contains(logs, "moved the pending reminder") || !strings.Contains(logs, "cancelled a pending reminder") {
		t.Errorf("no log line for the move or the cancel:\n%s", logs)
	}
	hist, _ := e.command(t, "history").CombinedOutput()
	if !strings.Contains(string(hist), "via phone: cancelled: moved to mobile") || !strings.Contains(string(hist), "via mobile: sent") {
		t.Errorf("history:\n%s", hist)
	}
}
