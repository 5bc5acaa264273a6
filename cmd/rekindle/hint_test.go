package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHintOnItsOwnLine: an error from another package (here a mail
// source's) prints its fix once, on a "rekindle: hint:" line of its own,
// not inside the error line; sync --check keeps its one row per source.
func TestHintOnItsOwnLine(t *testing.T) {
	// A server that speaks plain IMAP where the config says TLS.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "* OK IMAP4rev1 ready, no TLS here\r\n")
			c.Close()
		}
	}()
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", dir)
	os.WriteFile(filepath.Join(dir, "pw"), []byte("secret-pw-123\n"), 0o600)
	cfg := filepath.Join(dir, "c.toml")
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[sources.work]
type = "imap"
host = %q
port = %s
tls = "implicit"
username = "me@example.org"
password_file = "pw"

[[contact]]
name = "Ana"
`, host, port)), 0o644)

	const fix = `tls = "implicit" is for port 993; for port 143 use tls = "starttls"`
	var out, errb bytes.Buffer
	if code := run([]string{"--config", cfg, "sync"}, &out, &errb); code != exitProblem {
		t.Fatalf("sync: exit %d; want %d\nstderr: %s", code, exitProblem, errb.String())
	}
	want := "rekindle: error: source work: " + ln.Addr().String() + " does not speak TLS on that port\nrekindle: hint: " + fix + "\n"
	if errb.String() != want {
		t.Errorf("sync: stderr\n%s\nwant\n%s", errb.String(), want)
	}
	if strings.Contains(out.String()+errb.String(), "secret-pw-123") {
		t.Errorf("the password is in the output")
	}

	out.Reset()
	errb.Reset()
	run([]string{"--config", cfg, "sync", "--check"}, &out, &errb)
	if got := out.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "FAILED: source work: ") || strings.Count(got, fix) != 1 {
		t.Errorf("sync --check: %q; want one row with the fix once", got)
	}
}
