package main

import (
	"bytes"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) != "rekindle" {
		widenParallel()
	}
	testscript.Main(m, map[string]func(){
		"rekindle": func() { os.Exit(runAt(os.Args[1:], os.Stdout, os.Stderr, testNow())) },
	})
}

// widenParallel lets more end-to-end tests run at once than there are
// cores (go test's default -parallel): most of their time is a daemon
// waiting on a backoff, a watch or a server, not work. A -parallel given
// on the command line is kept.
func widenParallel() {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(16, runtime.GOMAXPROCS(0))))
	}
	// The whole suite: build the daemon's binary while the first tests
	// run, not after them (binary waits for it).
	if r := flag.Lookup("test.run"); r != nil && r.Value.String() == "" {
		go buildOnce.Do(build)
	}
}

// testNow is the clock of the command in scripts: $REKINDLE_TEST_NOW
// (RFC 3339) when set, so a script can run the daemon's real runs at a time
// of its choosing; the real binary has no such setting.
func testNow() func() time.Time {
	v := os.Getenv("REKINDLE_TEST_NOW")
	if v == "" {
		return time.Now
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic("REKINDLE_TEST_NOW: " + err.Error())
	}
	return func() time.Time { return t }
}

// TestScripts runs the command line end to end: each testdata/script/*.txtar
// is a session at a terminal, with a fresh state directory.
func TestScripts(t *testing.T) {
	t.Parallel()
	example, err := filepath.Abs("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("STATE_DIRECTORY", filepath.Join(env.WorkDir, "state"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("REKINDLE_EXAMPLE", example)
			env.Setenv("TZ", "UTC")
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_GOLDEN") != "",
		Cmds:          serverCmds,
	})
}

// Test servers a script can start; each lives until its script ends.
var (
	serversMu sync.Mutex
	ntfys     = map[*testscript.TestScript]*ntfytest.Server{}
	hooks     = map[*testscript.TestScript]*webhooktest.Server{}
)

var atVar = regexp.MustCompile(`@[A-Z_]+@`)

var serverCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// ntfyserver [TOKEN TOPIC...]: an ntfy server at $NTFY_URL, requiring
	// TOKEN for the topics when given.
	"ntfyserver": func(ts *testscript.TestScript, neg bool, args []string) {
		s := ntfytest.New()
		if len(args) > 0 {
			s.RequireToken(args[0], args[1:]...)
		}
		serversMu.Lock()
		ntfys[ts] = s
		serversMu.Unlock()
		ts.Setenv("NTFY_URL", s.URL)
		ts.Defer(s.Close)
	},
	// slackhook: a Slack webhook at $SLACK_HOOK.
	"slackhook": func(ts *testscript.TestScript, neg bool, args []string) {
		s := webhooktest.New()
		serversMu.Lock()
		hooks[ts] = s
		serversMu.Unlock()
		ts.Setenv("SLACK_HOOK", s.WebhookURL())
		ts.Defer(s.Close)
	},
	// expand FILE...: replace each @NAME@ in the files with $NAME, so a
	// config can name the servers a script started (${NAME} is left for
	// rekindle's own expansion of secrets).
	"expand": func(ts *testscript.TestScript, neg bool, args []string) {
		for _, f := range args {
			b, err := os.ReadFile(ts.MkAbs(f))
			ts.Check(err)
			out := atVar.ReplaceAllStringFunc(string(b), func(m string) string { return ts.Getenv(m[1 : len(m)-1]) })
			ts.Check(os.WriteFile(ts.MkAbs(f), []byte(out), 0o644))
		}
	},
	// closedport: $CLOSED_PORT is a port nothing listens on.
	"closedport": func(ts *testscript.TestScript, neg bool, args []string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv("CLOSED_PORT", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		ln.Close()
	},
	// received ntfy|slack N [TITLE]: the server accepted exactly N
	// messages, the last titled TITLE.
	"received": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 2 {
			ts.Fatalf("usage: received ntfy|slack N [TITLE]")
		}
		want, _ := strconv.Atoi(args[1])
		serversMu.Lock()
		defer serversMu.Unlock()
		var titles []string
		switch args[0] {
		case "ntfy":
			for _, m := range ntfys[ts].Received() {
				titles = append(titles, m.Title)
			}
		case "slack":
			for _, p := range hooks[ts].Received() {
				title, _, _ := strings.Cut(p.Text, "\n")
				titles = append(titles, title)
			}
		}
		if len(titles) != want {
			ts.Fatalf("%s received %d messages %q; want %d", args[0], len(titles), titles, want)
		}
		if len(args) > 2 && (len(titles) == 0 || titles[len(titles)-1] != strings.Join(args[2:], " ")) {
			ts.Fatalf("%s: last title %q; want %q", args[0], titles, strings.Join(args[2:], " "))
		}
	},
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", dir)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[[contact]]\nname = \"Alice\"\n[[contact]]\nname = \"Alan\"\n"), 0o644)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[defaults]\nevery = \"3x\"\n"), 0o644)
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--config", cfg, "check"}, exitOK, ""},
		{[]string{"--config", cfg, "status"}, exitOK, ""},
		{[]string{"--config", bad, "check"}, exitProblem, "rekindle: error: " + bad + " has 1 problem:\n" + bad + ":2:1: defaults.every: invalid duration"},
		{[]string{"--config", bad, "status"}, exitProblem, "invalid duration"},
		{[]string{"--config", filepath.Join(dir, "missing.toml"), "status"}, exitProblem, "rekindle: hint: pass --config"},
		{[]string{"--config", cfg, "log", "zed", "talked"}, exitProblem, `no contact matches "zed"`},
		{[]string{"--config", cfg, "log", "al", "talked"}, exitProblem, `"al" could be alice (Alice), alan (Alan)`},
		{[]string{"--config", cfg, "log", "alice", "hugged"}, exitUsage, `unknown kind "hugged"`},
		{[]string{"--config", cfg, "log", "alice"}, exitUsage, "usage: rekindle log PERSON"},
		{[]string{"--config", cfg, "log", "alice", "talked", "--at", "yesterday"}, exitUsage, `invalid time "yesterday"`},
		{[]string{"--config", cfg, "log", "alice", "talked", "--at", "2099-01-01"}, exitProblem, "is in the future"},
		{[]string{"--config", cfg, "snooze", "alice", "3x"}, exitUsage, `unknown unit "x"`},
		{[]string{"--config", cfg, "plan", "--days", "0"}, exitUsage, "--days must be between"},
		{[]string{"--config", cfg, "status", "--bogus"}, exitUsage, "rekindle: error: status: unknown flag --bogus"},
		{[]string{"--config", cfg, "stauts"}, exitUsage, `unknown command "stauts"`},
		{[]string{"--config", cfg, "test-notify", "phnoe"}, exitUsage, "rekindle: error: test-notify: no channel \"phnoe\"; the channels are console\nrun 'rekindle help' for usage"},
		{[]string{}, exitUsage, "no command given"},
		{[]string{"version"}, exitOK, ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, &out, &errb)
		if code != tt.code {
			t.Errorf("rekindle %v: exit %d; want %d\nstderr: %s", tt.args, code, tt.code, errb.String())
		}
		if !strings.Contains(errb.String(), tt.stderr) {
			t.Errorf("rekindle %v: stderr %q; want it to contain %q", tt.args, errb.String(), tt.stderr)
		}
	}
}
