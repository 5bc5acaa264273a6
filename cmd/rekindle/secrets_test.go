package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/leak"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// echoIMAP is an IMAP server on a loopback port that refuses every login
// and echoes it in its refusal, as written and in base64: LOGIN's
// arguments, or AUTHENTICATE's initial response (which for XOAUTH2 is
// the token in base64).
func echoIMAP(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				fmt.Fprint(c, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] echo ready\r\n")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
					cmd, args, _ := strings.Cut(rest, " ")
					switch strings.ToUpper(cmd) {
					case "CAPABILITY":
						fmt.Fprintf(c, "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER\r\n%s OK done\r\n", tag)
					case "LOGIN", "AUTHENTICATE":
						if mech, _, ok := strings.Cut(args, " "); strings.ToUpper(cmd) == "AUTHENTICATE" && !ok {
							fmt.Fprint(c, "+ \r\n")
							ir, _ := r.ReadString('\n')
							args = mech + " " + strings.TrimRight(ir, "\r\n")
						}
						fmt.Fprintf(c, "%s NO [AUTHENTICATIONFAILED] rejected %s (%s)\r\n", tag, args, base64.StdEncoding.EncodeToString([]byte(args)))
					case "LOGOUT":
						fmt.Fprintf(c, "* BYE\r\n%s OK bye\r\n", tag)
						return
					default:
						fmt.Fprintf(c, "%s BAD unknown\r\n", tag)
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestIMAPLoginEchoShowsNoSecret: a server that echoes the login shows
// neither the password nor the OAuth2 token, raw or in base64, in `sync`,
// `sync --check`, the daemon's log, `status` or the state file.
func TestIMAPLoginEchoShowsNoSecret(t *testing.T) {
	addr := echoIMAP(t)
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
	t.Setenv("NOTIFY_SOCKET", "")
	const password = `imap "pass" word`
	const token = "ya29.oauth-access-token-0123456789"
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(fmt.Sprintf(`[sources.pw]
type = "imap"
host = %[1]q
port = %[2]s
tls = "none"
username = "me@example.org"
password = 'imap "pass" word'

[sources.oauth]
type = "imap"
host = %[1]q
port = %[2]s
tls = "none"
username = "me@example.org"
auth = "xoauth2"
token_file = %[3]q

[sources.bearer]
type = "imap"
host = %[1]q
port = %[2]s
tls = "none"
username = "me@example.org"
auth = "oauthbearer"
token_file = %[3]q

[[contact]]
name = "Alice"
`, host, port, tokenFile)), 0o600)
	// The password as written, and as LOGIN quotes it.
	secrets := []string{password, `imap \"pass\" word`, token}
	check := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if leak.Shows(text, s) {
				t.Errorf("%s shows %q:\n%s", where, s, text)
			}
		}
		if !strings.Contains(text, "[redacted]") {
			t.Errorf("%s says nothing of the refusal:\n%s", where, text)
		}
	}
	cli := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		c := &cli{stdout: &stdout, stderr: &stderr, now: time.Now}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.dispatch(ctx, append([]string{"--config", path}, args...))
		return stdout.String() + stderr.String()
	}
	check("sync --check", cli("sync", "--check"))
	check("sync", cli("sync"))
	check("status", cli("status"))

	j, err := journal.Open(context.Background(), filepath.Join(dir, "state", "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	states, err := j.SourceStates(context.Background())
	j.Close()
	if err != nil || len(states) != 3 {
		t.Fatalf("source states %v, %v", states, err)
	}
	for name, s := range states {
		check("the state file's last error of "+name, s.LastError)
	}

	// The daemon: its log.
	var logs syncbuf.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := newDaemon(ctx, path, slog.New(slog.NewTextHandler(&logs, nil)), time.Now, notifier.Options{Stdout: &logs})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cfg := d.cur.Load().Config
	for _, name := range cfg.SourceNames() {
		d.mail.SyncOnce(ctx, cfg, cfg.Sources[name])
	}
	check("the daemon's log", logs.String())
}
