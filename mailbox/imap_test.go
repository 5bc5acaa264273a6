package mailbox

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

const imapPassword = "a-secret-pass-0123"

// memIMAP is go-imap's own in-memory server on a loopback port: a user
// "me" with INBOX and a Sent folder marked \Sent.
type memIMAP struct {
	addr string
	user *imapmemserver.User
}

func startMemIMAP(t testing.TB) *memIMAP {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("me", imapPassword)
	user.Create("INBOX", nil)
	user.Create("Sent Mail", &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrSent}})
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memIMAP{addr: ln.Addr().String(), user: user}
}

// appendMsg puts a message into a folder, as a mail server delivering
// it would.
func appendMsg(t testing.TB, addr, folder, raw string) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("me", imapPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	cmd := c.Append(folder, int64(len(raw)), nil)
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func imapSource(t testing.TB, addr string, extra string) *config.Config {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf(`
[sources.work]
type = "imap"
host = %q
port = %s
tls = "none"
username = "me"
password = %q
%s`, host, port, imapPassword, extra)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestIMAPSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	now := time.Now()
	date := func(d time.Duration) string { return now.Add(d).Format(time.RFC1123Z) }
	appendMsg(t, srv.addr, "INBOX", msg("Ana <ana@example.org>", "me@home.example", date(-2*time.Hour), "r1@example.org"))
	appendMsg(t, srv.addr, "INBOX", msg("news@shop.example", "me@home.example", date(-3*time.Hour), "n1@shop.example", "List-Id: <deals>\n"))
	appendMsg(t, srv.addr, "Sent Mail", msg("me@home.example", "bo@example.net", date(-26*time.Hour), "s1@home.example"))
	cfg := imapSource(t, srv.addr, "")
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	sync := func() Result {
		t.Helper()
		res, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sync(); res != (Result{Read: 3, Used: 2, Ignored: 1, Added: 2}) {
		t.Errorf("first sync: %+v", res)
	}
	all, _ := j.Events(ctx)
	if len(all["ana-lima"]) != 1 || all["ana-lima"][0].Source != "imap:work" || len(all["bo"]) != 1 || all["bo"][0].Kind != journal.ReachedOut {
		t.Errorf("events %+v", all)
	}
	// A second sync (or a restart) reads nothing already read.
	if res := sync(); res.Read != 0 || res.Added != 0 {
		t.Errorf("second sync: %+v; want nothing read again", res)
	}
	appendMsg(t, srv.addr, "INBOX", msg("bo@example.net", "me@home.example", date(-time.Minute), "r2@example.net"))
	if res := sync(); res.Read != 1 || res.Added != 1 {
		t.Errorf("third sync: %+v; want the new reply alone", res)
	}
	// The server starts its UIDs anew (a restored mailbox): everything is
	// read again, and nothing is counted twice.
	c, _ := imapclient.DialInsecure(srv.addr, nil)
	c.Login("me", imapPassword).Wait()
	c.Rename("INBOX", "Old", nil).Wait()
	c.Create("INBOX", nil).Wait()
	c.Close()
	appendMsg(t, srv.addr, "INBOX", msg("Ana <ana@example.org>", "me@home.example", date(-2*time.Hour), "r1@example.org"))
	appendMsg(t, srv.addr, "INBOX", msg("bo@example.net", "me@home.example", date(-time.Minute), "r2@example.net"))
	if res := sync(); res.Read != 2 || res.Added != 0 {
		t.Errorf("after a UIDVALIDITY change: %+v; want both read again and nothing added", res)
	}
	if all, _ := j.Events(ctx); len(all["ana-lima"]) != 1 || len(all["bo"]) != 2 {
		t.Errorf("events after the rescan %+v", all)
	}
}

func TestIMAPFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	j, _ := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	defer j.Close()
	run := func(cfg *config.Config) error {
		_, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
		return err
	}
	host, port, _ := net.SplitHostPort(srv.addr)
	wrong, _ := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\ntls = \"none\"\nusername = \"me\"\npassword = \"wrong-password\"\n", host, port)))
	err := run(wrong)
	if err == nil || !strings.Contains(err.Error(), "the server refused the login of me") || strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("a wrong password: %v", err)
	}
	if err := run(imapSource(t, srv.addr, "inbox = [\"Nope\"]\n")); err == nil || !strings.Contains(err.Error(), `cannot open the folder "Nope"`) {
		t.Errorf("a folder that does not exist: %v", err)
	}
	plain, _ := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\nusername = \"me\"\npassword = %q\n", host, port, imapPassword)))
	if err := run(plain); err == nil || !strings.Contains(err.Error(), "does not speak TLS on that port") {
		t.Errorf("implicit TLS to a server without it: %v", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	if err := run(imapSource(t, closed, "")); err == nil || !strings.Contains(err.Error(), "cannot reach "+closed) {
		t.Errorf("no server: %v", err)
	}
}

// Watch hears of a new message while idle, at once.
func TestIMAPWatch(t *testing.T) {
	t.Parallel()
	srv := startMemIMAP(t)
	cfg := imapSource(t, srv.addr, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	arrived := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, cfg.Sources["work"], func() { arrived <- struct{}{} }, func(err error) { t.Errorf("failed: %v", err) })
	}()
	// Deliver until Watch is idle and hears one.
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		appendMsg(t, srv.addr, "INBOX", msg("ana@example.org", "me@home.example", time.Now().Format(time.RFC1123Z), fmt.Sprintf("w%d@example.org", i)))
		select {
		case <-arrived:
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Watch ended with %v", err)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("Watch never heard of the new messages")
		}
	}
}

// cutProxy forwards to addr and cuts the connection as soon as the client
// asks to FETCH: the server going away mid-fetch.
func cutProxy(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", addr)
			if err != nil {
				client.Close()
				continue
			}
			go func() { io.Copy(client, server); client.Close() }()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := client.Read(buf)
					if err != nil || strings.Contains(string(buf[:n]), "FETCH") {
						client.Close()
						server.Close()
						return
					}
					server.Write(buf[:n])
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A connection cut mid-fetch is an error, nothing is half-recorded, and
// the next sync reads it all.
func TestIMAPCutMidFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	appendMsg(t, srv.addr, "INBOX", msg("Ana <ana@example.org>", "me@home.example", time.Now().Add(-time.Hour).Format(time.RFC1123Z), "c1@example.org"))
	j, _ := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	defer j.Close()
	cut := imapSource(t, cutProxy(t, srv.addr), "")
	_, err := (&Sync{Source: cut.Sources["work"], People: NewPeople(cut), Store: j, Now: time.Now()}).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), `source work: the server broke off reading "INBOX"`) {
		t.Fatalf("a sync cut mid-fetch: %v", err)
	}
	var f imapCursor
	if (&Sync{Source: cut.Sources["work"], Store: j}).cursor(ctx, "INBOX", &f); f.LastUID != 0 {
		t.Errorf("the cut sync recorded progress: %+v", f)
	}
	whole := imapSource(t, srv.addr, "")
	res, err := (&Sync{Source: whole.Sources["work"], People: NewPeople(whole), Store: j, Now: time.Now()}).Run(ctx)
	if err != nil || res.Added != 1 {
		t.Errorf("the next sync: %+v, %v", res, err)
	}
}

// oauthSession is go-imap's in-memory session that also takes OAuth2
// bearer tokens, as Gmail and Outlook do: XOAUTH2 ("user=U\x01auth=Bearer
// T\x01\x01") and OAUTHBEARER (RFC 7628).
type oauthSession struct {
	imapserver.SessionIMAP4rev2
	token string
}

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2", "OAUTHBEARER"} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	check := func(user, token string) error {
		if user != "me" || token != s.token {
			return fmt.Errorf("invalid credentials")
		}
		return s.SessionIMAP4rev2.Login("me", imapPassword)
	}
	if mech == "OAUTHBEARER" {
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if check(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token"}
			}
			return nil
		}), nil
	}
	return xoauth2Server(check), nil
}

type xoauth2Server func(user, token string) error

func (f xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	parts := strings.Split(string(resp), "\x01")
	if len(parts) != 4 || !strings.HasPrefix(parts[0], "user=") || !strings.HasPrefix(parts[1], "auth=Bearer ") || parts[2] != "" || parts[3] != "" {
		return nil, true, fmt.Errorf("malformed XOAUTH2 message")
	}
	return nil, true, f(strings.TrimPrefix(parts[0], "user="), strings.TrimPrefix(parts[1], "auth=Bearer "))
}

func TestIMAPOAuth2(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("me", imapPassword)
	user.Create("INBOX", nil)
	user.Create("Sent", &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrSent}})
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthSession{SessionIMAP4rev2: mem.NewSession().(imapserver.SessionIMAP4rev2), token: "ya29.fresh-token"}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	tokenFile := filepath.Join(t.TempDir(), "token")
	j, _ := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	defer j.Close()
	for _, mech := range []string{"xoauth2", "oauthbearer"} {
		cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\ntls = \"none\"\nusername = \"me\"\nauth = %q\ntoken_file = %q\n", host, port, mech, tokenFile)))
		if err != nil {
			t.Fatal(err)
		}
		run := func() error {
			_, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
			return err
		}
		// The helper has renewed the token: it is read at each connection.
		os.WriteFile(tokenFile, []byte("ya29.stale-token\n"), 0o600)
		if err := run(); err == nil || !strings.Contains(err.Error(), "refused the login") || strings.Contains(err.Error(), "stale-token") {
			t.Errorf("%s with a stale token: %v", mech, err)
		}
		os.WriteFile(tokenFile, []byte("ya29.fresh-token\n"), 0o600)
		if err := run(); err != nil {
			t.Errorf("%s with a fresh token: %v", mech, err)
		}
	}
}
