package mailbox

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/journal"
)

// TestErrorHintApart: a source's fix travels through Hint (internal/hint),
// never inside its text, so the command prints it once, on its own line.
func TestErrorHintApart(t *testing.T) {
	t.Parallel()
	errs := []error{
		connectError("work", "imap.example.org:993", "implicit", x509.UnknownAuthorityError{}),
		connectError("work", "imap.example.org:993", "implicit", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "imap.example.org"}),
		connectError("work", "imap.example.org:993", "implicit", errors.New("tls: first record does not look like a TLS handshake")),
	}
	_, notMaildir := listMaildir(filepath.Join(t.TempDir(), "INBOX"), time.Time{}, time.Now())
	errs = append(errs, fmt.Errorf("source work: %w", notMaildir))
	for _, err := range errs {
		h := hint.Of(err)
		if h == "" {
			t.Errorf("%v: no hint", err)
			continue
		}
		if strings.Contains(err.Error(), h) {
			t.Errorf("%q carries its hint %q in its text", err.Error(), h)
		}
		if !strings.HasPrefix(err.Error(), "source work: ") {
			t.Errorf("%q does not name the source", err.Error())
		}
	}
	// No fix: no hint, and nothing in brackets.
	plain := connectError("work", "imap.example.org:993", "implicit", errors.New("connection refused"))
	if h := hint.Of(plain); h != "" {
		t.Errorf("%v: hint %q, want none", plain, h)
	}
}

// TestLoopLogsHintApart: the daemon's log of a failing source has the fix
// as its own field, and the state file keeps it for status.
func TestLoopLogsHintApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	host, port, _ := net.SplitHostPort(srv.addr)
	cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\ntls = \"none\"\nusername = \"me\"\npassword = \"wrong-password\"\n", host, port)))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	l := &Loop{Config: func() *config.Config { return cfg }, Store: j, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Redact: func(err error) error { return cfg.Redactor().Error(err) }}
	l.SyncOnce(ctx, cfg, cfg.Sources["work"])
	const fix = "check username and password (or the token); some providers want an app password"
	line := logs.String()
	if !strings.Contains(line, `msg="mail source failed; trying again later"`) || !strings.Contains(line, `hint="`+fix+`"`) || strings.Count(line, fix) != 1 {
		t.Errorf("the log:\n%s\nwant the fix once, as hint=", line)
	}
	if strings.Contains(line, "wrong-password") {
		t.Errorf("the log holds the password:\n%s", line)
	}
	st, _ := j.SourceStates(ctx)
	if e := st["work"].LastError; !strings.HasSuffix(e, " ("+fix+")") {
		t.Errorf("recorded %q; want the fix after the error", e)
	}
}
