package mailbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/rekindle/rekindle/config"
)

// netLimits bound a conversation with an IMAP server, so that a server
// that goes silent, trickles, or sends without end cannot hang rekindle
// or fill its memory.
type netLimits struct {
	connect time.Duration // dial, TLS, greeting and login, together
	silence time.Duration // longest wait for the next byte while an answer is due
	command time.Duration // longest one command may take, all its answer read
	rest    time.Duration // longest silence between commands and while idle
	literal int64         // largest header block fetched for one message
	answer  int64         // most bytes one answer (one message of a FETCH) may take
	line    int64         // longest line while no answer is due (IDLE)
}

// limits are rekindle's; tests shorten them (a connection keeps the limits
// it was opened with). rest is longer than the 28 minutes after which
// go-imap renews an IDLE, which the server answers.
var limits = netLimits{
	connect: 30 * time.Second,
	silence: 60 * time.Second,
	command: 5 * time.Minute,
	rest:    31 * time.Minute,
	literal: 4 << 20,
	answer:  16 << 20,
	line:    1 << 20,
}

// bye bounds the LOGOUT that ends a session: it is a courtesy.
const bye = 5 * time.Second

// watchConn is the TCP connection to an IMAP server, under TLS when there
// is TLS. go-imap sets deadlines of its own, which wait for ever between
// answers (for IDLE); watchConn ignores them and keeps its own: while an
// answer is due, no more than limits.silence without a byte and
// limits.command in all; otherwise no more than limits.rest. It counts
// what it reads, so that one answer larger than limits.answer is cut
// before the client buffers it. Cut closes it at once, from any
// goroutine: what ends a sync on SIGTERM.
type watchConn struct {
	net.Conn
	lim  netLimits
	addr string

	mu      sync.Mutex
	due     bool          // an answer is due
	limit   time.Duration // how long the command in progress may take
	until   time.Time     // when it must be done
	what    string        // what is awaited, for the error
	read    int64         // bytes of the answer (or line) read so far
	failure error         // why the connection was cut
}

func newWatchConn(c net.Conn, addr string, lim netLimits) *watchConn {
	return &watchConn{Conn: c, lim: lim, addr: addr}
}

// expect says an answer (what) is due within d, with no silence longer
// than limits.silence: a command was sent, or the connection opened.
func (w *watchConn) expect(d time.Duration, what string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.due, w.limit, w.until, w.what, w.read = true, d, time.Now().Add(d), what, 0
	w.Conn.SetReadDeadline(w.deadline()) // a read already waiting heeds it
}

// next starts the count of an answer anew: a FETCH's next message.
func (w *watchConn) next() {
	w.mu.Lock()
	w.read = 0
	w.mu.Unlock()
}

// rest says no answer is due.
func (w *watchConn) rest() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.due, w.until, w.read = false, time.Time{}, 0
	w.Conn.SetReadDeadline(w.deadline())
}

// deadline is when the wait for the next byte ends; w.mu is held.
func (w *watchConn) deadline() time.Time {
	if !w.due {
		return time.Now().Add(w.lim.rest)
	}
	d := time.Now().Add(w.lim.silence)
	if w.until.Before(d) {
		d = w.until
	}
	return d
}

func (w *watchConn) Read(b []byte) (int, error) {
	w.mu.Lock()
	if w.failure != nil {
		w.mu.Unlock()
		return 0, w.failure
	}
	w.Conn.SetReadDeadline(w.deadline())
	w.mu.Unlock()
	n, err := w.Conn.Read(b)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			w.cut(w.timedOut())
		}
		return n, w.err(err)
	}
	w.mu.Lock()
	if w.due {
		w.read += int64(n)
	} else if i := bytes.LastIndexByte(b[:n], '\n'); i >= 0 {
		w.read = int64(n - i - 1)
	} else {
		w.read += int64(n)
	}
	over := (w.due && w.read > w.lim.answer) || (!w.due && w.read > w.lim.line)
	w.mu.Unlock()
	if over {
		w.cut(fmt.Errorf("%s sent more than %s in one answer; rekindle asks for a few headers at a time and reads no more", w.addr, size(w.lim.answer)))
		return 0, w.err(nil)
	}
	return n, nil
}

// timedOut says which wait ran out.
func (w *watchConn) timedOut() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.due && !time.Now().Before(w.until):
		return fmt.Errorf("%s did not finish %s within %s", w.addr, w.what, w.limit)
	case w.due:
		return fmt.Errorf("%s sent nothing for %s while an answer was due", w.addr, w.lim.silence)
	}
	return fmt.Errorf("%s sent nothing for %s", w.addr, w.lim.rest)
}

func (w *watchConn) Write(b []byte) (int, error) {
	w.mu.Lock()
	if w.failure != nil {
		w.mu.Unlock()
		return 0, w.failure
	}
	d := time.Now().Add(w.lim.silence)
	if w.due && w.until.Before(d) {
		d = w.until
	}
	w.Conn.SetWriteDeadline(d)
	w.mu.Unlock()
	n, err := w.Conn.Write(b)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			w.cut(fmt.Errorf("%s took nothing of what rekindle sent for %s", w.addr, w.lim.silence))
		}
		return n, w.err(err)
	}
	return n, nil
}

// The client's own deadlines are replaced by watchConn's.
func (w *watchConn) SetDeadline(time.Time) error      { return nil }
func (w *watchConn) SetReadDeadline(time.Time) error  { return nil }
func (w *watchConn) SetWriteDeadline(time.Time) error { return nil }

// cut closes the connection at once, recording why (the first reason
// given wins; nil: a plain close).
func (w *watchConn) cut(why error) {
	w.mu.Lock()
	if w.failure == nil {
		if why == nil {
			why = net.ErrClosed
		}
		w.failure = why
	}
	w.mu.Unlock()
	w.Conn.Close()
}

func (w *watchConn) Close() error {
	w.cut(nil)
	return nil
}

// err is the reason the connection was cut, if it was, else err.
func (w *watchConn) err(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failure != nil && !errors.Is(w.failure, net.ErrClosed) {
		return w.failure
	}
	if err == nil {
		return net.ErrClosed
	}
	return err
}

// cause is why the connection was cut by a limit or a cancel, or nil.
func (w *watchConn) cause() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failure == nil || errors.Is(w.failure, net.ErrClosed) {
		return nil
	}
	return w.failure
}

func size(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " kB"
}

// session is a logged-in connection to an IMAP server.
type session struct {
	*imapclient.Client
	conn   *watchConn
	source string
	addr   string
	stop   func() bool
}

// connect dials an IMAP source, with TLS as it says, and logs in, within
// limits.connect; h, when not nil, hears what the server says unasked.
// The session is cut when ctx ends, whatever the server does.
func connect(ctx context.Context, name string, spec *config.IMAPSpec, h *imapclient.UnilateralDataHandler) (*session, error) {
	addr := net.JoinHostPort(spec.Host, strconv.Itoa(spec.Port))
	tc := &tls.Config{ServerName: spec.Host, MinVersion: tls.VersionTLS12}
	if spec.CAFile != "" {
		if err := config.TrustCAFile(tc, spec.Host, spec.CAFile); err != nil {
			return nil, &Error{Source: name, Msg: err.Error(), Err: err}
		}
	}
	lim := limits
	d := net.Dialer{Timeout: lim.connect}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, connectError(name, addr, spec.TLS, err)
	}
	w := newWatchConn(raw, addr, lim)
	w.expect(lim.connect, "the connection and login")
	s := &session{conn: w, source: name, addr: addr}
	s.stop = context.AfterFunc(ctx, func() { w.cut(ctx.Err()) })
	fail := func(err error) (*session, error) {
		s.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if c := w.cause(); c != nil {
			return nil, &Error{Source: name, Msg: "no answer from " + addr + " (tls " + spec.TLS + "): " + c.Error(),
				Fix: "check host, port and tls; the server may be down or overloaded", Err: c}
		}
		return nil, connectError(name, addr, spec.TLS, err)
	}
	opts := &imapclient.Options{TLSConfig: tc, UnilateralDataHandler: h}
	switch spec.TLS {
	case "implicit":
		tc := tc.Clone()
		tc.NextProtos = []string{"imap"}
		tconn := tls.Client(w, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			return fail(err)
		}
		s.Client = imapclient.New(tconn, opts)
	case "starttls":
		c, err := imapclient.NewStartTLS(w, opts)
		if err != nil {
			return fail(err)
		}
		s.Client = c
	default:
		s.Client = imapclient.New(w, opts)
	}
	if err := s.WaitGreeting(); err != nil {
		return fail(err)
	}
	if err := login(s.Client, spec); err != nil {
		s.Close()
		err = spec.Redactor().Error(err) // a server may echo the login it refused
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var e *Error
		if errors.As(err, &e) {
			e.Source = name
			return nil, e
		}
		if c := w.cause(); c != nil {
			return nil, &Error{Source: name, Msg: "no answer to the login of " + spec.Username + ": " + c.Error(),
				Fix: "the server may be overloaded; rekindle tries again later", Err: c}
		}
		return nil, &Error{Source: name, Msg: "the server refused the login of " + spec.Username + ": " + err.Error(),
			Fix: "check username and password (or the token); some providers want an app password", Err: err}
	}
	w.rest()
	return s, nil
}

// do runs one command (f sends it and waits for its answer) within
// limits.command, and says why it failed in plain words.
func (s *session) do(f func() error) error {
	s.conn.expect(s.conn.lim.command, "its answer")
	err := f()
	s.conn.rest()
	return s.why(err)
}

// why is the reason the connection was cut (silence, an answer too
// large, the end of the sync), else err.
func (s *session) why(err error) error {
	if err == nil {
		return nil
	}
	if c := s.conn.cause(); c != nil {
		return c
	}
	return err
}

// logout says goodbye, for at most bye.
func (s *session) logout() {
	s.conn.expect(bye, "the logout")
	s.Logout().Wait()
	s.conn.rest()
}

// Close cuts the connection, without waiting on the server, and frees the
// client.
func (s *session) Close() {
	s.conn.cut(nil)
	if s.Client != nil {
		s.Client.Close()
	}
	s.stop()
}
