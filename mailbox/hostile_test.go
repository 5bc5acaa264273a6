package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Servers that misbehave as a hostile or broken IMAP server would, on
// loopback: silent from the start, silent in the middle of a FETCH, a
// header block of a gigabyte, a TLS handshake a byte at a time. Each test
// runs with short limits and asserts that rekindle gives up within them,
// or as soon as its context ends.

// short shortens the limits for one test (not run in parallel).
func short(t *testing.T) {
	t.Helper()
	old := limits
	limits = netLimits{
		connect: 600 * time.Millisecond,
		silence: 200 * time.Millisecond,
		command: 800 * time.Millisecond,
		rest:    time.Second,
		literal: 64 << 10,
		answer:  256 << 10,
		line:    16 << 10,
	}
	t.Cleanup(func() { limits = old })
}

// serve accepts connections on a loopback port and hands each to handle;
// every connection is closed when the test ends.
func serve(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// silent accepts and says nothing, for ever.
func silent(c net.Conn) { io.Copy(io.Discard, c) }

// stallAtFetch forwards to the real server at addr until the client asks
// to FETCH; then it stops forwarding and hands the client's connection
// and its FETCH line to atFetch.
func stallAtFetch(t *testing.T, addr string, atFetch func(client net.Conn, line string)) string {
	t.Helper()
	return serve(t, func(client net.Conn) {
		server, err := net.Dial("tcp", addr)
		if err != nil {
			client.Close()
			return
		}
		defer server.Close()
		stalled := make(chan struct{})
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := server.Read(buf)
				if err != nil {
					return
				}
				select {
				case <-stalled:
					return
				default:
				}
				client.Write(buf[:n])
			}
		}()
		buf := make([]byte, 4096)
		for {
			n, err := client.Read(buf)
			if err != nil {
				return
			}
			if i := strings.Index(string(buf[:n]), "FETCH"); i >= 0 {
				close(stalled)
				atFetch(client, string(buf[:n]))
				return
			}
			server.Write(buf[:n])
		}
	})
}

func oneMessage(t *testing.T) *memIMAP {
	t.Helper()
	srv := startMemIMAP(t)
	appendMsg(t, srv.addr, "INBOX", msg("Ana <ana@example.org>", "me@home.example", time.Now().Add(-time.Hour).Format(time.RFC1123Z), "h1@example.org"))
	return srv
}

func syncOnce(t *testing.T, ctx context.Context, cfg *config.Config) (time.Duration, error) {
	t.Helper()
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	start := time.Now()
	_, err = (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
	return time.Since(start), err
}

// A server that accepts and says nothing: sync and check give up within
// the limits, and say what happened.
func TestIMAPSilentServer(t *testing.T) {
	short(t)
	cfg := imapSource(t, serve(t, silent), "")
	took, err := syncOnce(t, context.Background(), cfg)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "sent nothing for 200ms") || took > 2*time.Second {
		t.Errorf("sync against a silent server: %v after %v; want it given up within the limits", err, took)
	}
	start := time.Now()
	_, err = Check(context.Background(), cfg.Sources["work"])
	if took := time.Since(start); err == nil || !strings.Contains(err.Error(), "sent nothing") || took > 2*time.Second {
		t.Errorf("check against a silent server: %v after %v", err, took)
	}
}

// Whatever the limits, the end of the context (SIGTERM, SIGINT) ends a
// sync, a check and a watch at once.
func TestIMAPCancelStopsAtOnce(t *testing.T) {
	t.Parallel()
	addr := serve(t, silent)
	cfg := imapSource(t, addr, "")
	for _, name := range []string{"sync", "check", "watch"} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		var err error
		switch name {
		case "sync":
			_, err = syncOnce(t, ctx, cfg)
		case "check":
			_, err = Check(ctx, cfg.Sources["work"])
		case "watch":
			err = Watch(ctx, cfg.Sources["work"], func() {}, func(error) {})
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s against a silent server took %v after its context ended (%v)", name, took, err)
		}
		if name != "watch" && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v; want context.Canceled", name, err)
		}
		cancel()
	}
}

// A watch idle on a server that stops answering: the end of the context
// ends it at once (the IDLE is not closed politely with a server that
// does not answer).
func TestIMAPWatchStopsAtOnceWhenTheServerIsSilent(t *testing.T) {
	t.Parallel()
	srv := startMemIMAP(t)
	var idling atomic.Bool
	// Forward until the client idles, then go silent both ways.
	addr := serve(t, func(client net.Conn) {
		server, err := net.Dial("tcp", srv.addr)
		if err != nil {
			return
		}
		defer server.Close()
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := server.Read(buf)
				if err != nil || idling.Load() {
					return
				}
				client.Write(buf[:n])
			}
		}()
		buf := make([]byte, 4096)
		for {
			n, err := client.Read(buf)
			if err != nil {
				return
			}
			if strings.Contains(string(buf[:n]), "IDLE") {
				idling.Store(true)
				io.Copy(io.Discard, client)
				return
			}
			server.Write(buf[:n])
		}
	})
	cfg := imapSource(t, addr, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan time.Time, 1)
	go func() {
		Watch(ctx, cfg.Sources["work"], func() {}, func(err error) {})
		done <- time.Now()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !idling.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !idling.Load() {
		t.Fatal("the watch never sent IDLE")
	}
	time.Sleep(100 * time.Millisecond) // the server has gone silent
	cancel()
	stopped := time.Now()
	select {
	case at := <-done:
		if took := at.Sub(stopped); took > time.Second {
			t.Errorf("the watch took %v to stop", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not stop within 5s of its context's end")
	}
}

// The server greets, logs in, then goes silent in the middle of a FETCH.
func TestIMAPSilentMidFetch(t *testing.T) {
	short(t)
	srv := oneMessage(t)
	cfg := imapSource(t, stallAtFetch(t, srv.addr, func(c net.Conn, _ string) { io.Copy(io.Discard, c) }), "")
	took, err := syncOnce(t, context.Background(), cfg)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), `gave up reading "INBOX"`) || !strings.Contains(err.Error(), "sent nothing for 200ms") || took > 2*time.Second {
		t.Errorf("a server silent mid-FETCH: %v after %v", err, took)
	}
}

// fetchReply is the server's answer to the FETCH line with a literal of
// n bytes announced: the section named as the client asked for it.
func fetchReply(line string, n int64) string {
	sec := regexp.MustCompile(`BODY\.PEEK(\[[^\]]*\])`).FindStringSubmatch(line)
	return fmt.Sprintf("* 1 FETCH (UID 1 BODY%s {%d}\r\n", sec[1], n)
}

// A header block announced as a gigabyte and trickled: refused before a
// byte of it is read, at once.
func TestIMAPHugeLiteralTrickled(t *testing.T) {
	short(t)
	srv := oneMessage(t)
	addr := stallAtFetch(t, srv.addr, func(c net.Conn, line string) {
		io.WriteString(c, fetchReply(line, 1<<30))
		for i := 0; i < 50; i++ {
			if _, err := c.Write([]byte("X")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	took, err := syncOnce(t, context.Background(), imapSource(t, addr, ""))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "a header block of 1073741824 bytes") || took > time.Second {
		t.Errorf("a header literal of 1 GB: %v after %v; want it refused at once", err, took)
	}
}

// A header block announced and sent whole, larger than the limit: what
// the client allocates stays far below it (it is refused, not read).
func TestIMAPHugeLiteralSent(t *testing.T) {
	short(t)
	srv := oneMessage(t)
	const huge = 32 << 20
	var sent atomic.Int64
	addr := stallAtFetch(t, srv.addr, func(c net.Conn, line string) {
		io.WriteString(c, fetchReply(line, huge))
		chunk := []byte(strings.Repeat("X-Junk: 0123456789abcdef\r\n", 1<<12))
		for sent.Load() < huge {
			n, err := c.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
		io.WriteString(c, ")\r\n")
		io.Copy(io.Discard, c)
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := syncOnce(t, context.Background(), imapSource(t, addr, ""))
	t.Log(err)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("a header block of %d bytes", huge)) {
		t.Errorf("a header literal of 32 MB: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("the sync allocated %d MB for a header literal of 32 MB it should refuse", alloc>>20)
	}
}

// An answer of more than limits.answer (here a folder list without end)
// is cut before the client holds it.
func TestIMAPAnswerWithoutEnd(t *testing.T) {
	short(t)
	addr := serve(t, func(c net.Conn) {
		io.WriteString(c, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN] hostile\r\n")
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		tag, _, _ := strings.Cut(string(buf[:n]), " ")
		io.WriteString(c, tag+" OK [CAPABILITY IMAP4rev1 IMAP4rev2] in\r\n")
		c.Read(buf)
		// A mailbox name of a gigabyte, as a quoted string.
		io.WriteString(c, `* LIST () "/" "`)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for i := 0; i < 1<<14; i++ {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	took, err := syncOnce(t, context.Background(), imapSource(t, addr, ""))
	t.Log(err)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "sent more than 256 kB in one answer") || took > 2*time.Second {
		t.Errorf("a LIST without end: %v after %v", err, took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("the sync allocated %d MB", alloc>>20)
	}
}

// trickleConn writes a byte at a time, slowly: a TLS handshake that
// takes minutes.
type trickleConn struct{ net.Conn }

func (c trickleConn) Write(b []byte) (int, error) {
	for i := range b {
		time.Sleep(20 * time.Millisecond)
		if _, err := c.Conn.Write(b[i : i+1]); err != nil {
			return i, err
		}
	}
	return len(b), nil
}

// A TLS handshake that never ends, each byte in time: given up at the
// connect limit.
func TestIMAPSlowTLSHandshake(t *testing.T) {
	short(t)
	cert := httptest.NewTLSServer(nil) // a certificate for 127.0.0.1
	cert.Close()
	tc := &tls.Config{Certificates: cert.TLS.Certificates}
	addr := serve(t, func(c net.Conn) {
		s := tls.Server(trickleConn{c}, tc)
		s.Handshake()
		io.Copy(io.Discard, s)
	})
	host, port, _ := net.SplitHostPort(addr)
	cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\nusername = \"me\"\npassword = \"x\"\n", host, port)))
	if err != nil {
		t.Fatal(err)
	}
	took, err := syncOnce(t, context.Background(), cfg)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "did not finish the connection and login within 600ms") || took > 2*time.Second {
		t.Errorf("a TLS handshake a byte at a time: %v after %v", err, took)
	}
}

// ca_file is read as a secret file is: /dev/zero and a FIFO are refused
// at once, without reading a byte.
func TestIMAPCAFileNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "ca.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, make([]byte, config.MaxCAFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := serve(t, silent)
	host, port, _ := net.SplitHostPort(addr)
	for _, tc := range []struct{ file, want string }{
		{"/dev/zero", "ca_file /dev/zero is not a regular file (a device)"},
		{fifo, "is not a regular file (a FIFO)"},
		{big, "at most 1048576 are read"},
	} {
		cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\nusername = \"me\"\npassword = \"x\"\nca_file = %q\n", host, port, tc.file)))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := Check(context.Background(), cfg.Sources["work"]); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ca_file %s: %v; want %q", tc.file, err, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ca_file %s: check hung", tc.file)
		}
	}
}
