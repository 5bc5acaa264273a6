package notifier

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/needs"

	"github.com/slack-go/slack/slacktest"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/desktoptest"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/smtptest"
	"github.com/rekindle/rekindle/internal/testsupport/webhooktest"
)

// channel builds a channel from TOML, as the config would.
func channel(t *testing.T, toml string, o Options) Channel {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range cfg.Channels {
		c, err := New(ch, o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Fatal("no channel in config")
	return nil
}

var sample = Message{
	Title: "Time to catch up with Alice", Lead: "It has been 41 days & counting.", Opener: "Hi <Alice>!", Tags: []string{"wave"},
}

// failure asserts err is a classified *Error.
func failure(t *testing.T, err error, retryable bool, msg string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T); want a *notifier.Error", err, err)
	}
	if e.Retryable != retryable {
		t.Errorf("%v: retryable = %v; want %v", e, e.Retryable, retryable)
	}
	if !strings.Contains(e.Error(), msg) {
		t.Errorf("error %q; want it to contain %q", e.Error(), msg)
	}
	return e
}

func TestNtfy(t *testing.T) {
	srv := ntfytest.New()
	defer srv.Close()
	srv.RequireToken("tk_goodtoken", "reminders")
	srv.RequireUser("me", "s3cret-pass", "reminders")
	ctx := context.Background()
	base := "[channels.phone]\ntype = \"ntfy\"\nurl = \"" + srv.URL + "\"\ntopic = \"reminders\"\ntags = [\"bell\"]\npriority = 4\n"

	t.Run("token, fields, actions and the size limit", func(t *testing.T) {
		ch := channel(t, base+"token = \"tk_goodtoken\"\n", Options{})
		m := sample
		m.Lead = strings.Repeat("long words ", 600) // 6,600 bytes
		m.Click = "https://example.org/d"
		for i := 0; i < 5; i++ {
			m.Actions = append(m.Actions, Action{Label: "A" + strconv.Itoa(i), URL: "https://example.org/a", Method: "POST", Clear: true})
		}
		if err := ch.Deliver(ctx, m); err != nil {
			t.Fatal(err)
		}
		got := srv.Received()
		if len(got) != 1 {
			t.Fatalf("received %d messages; want 1", len(got))
		}
		r := got[0]
		if r.Auth != "bearer:tk_goodtoken" || r.Topic != "reminders" || r.Title != m.Title || !r.Markdown || r.Priority != 4 || r.Click != m.Click {
			t.Errorf("received %+v", r)
		}
		if strings.Join(r.Tags, ",") != "bell,wave" {
			t.Errorf("tags = %v; want the channel's then the message's", r.Tags)
		}
		if len(r.Message) > ntfytest.MessageLimit || !strings.HasSuffix(r.Message, "…") {
			t.Errorf("message of %d bytes; want at most %d, cut visibly", len(r.Message), ntfytest.MessageLimit)
		}
		if len(r.Actions) != 3 || r.Actions[0].Action != "http" || !r.Actions[0].Clear {
			t.Errorf("actions = %+v; want the first 3 http actions", r.Actions)
		}
	})

	t.Run("a repeat with the same id replaces the first on the phone", func(t *testing.T) {
		ch := channel(t, base+"token = \"tk_goodtoken\"\n", Options{})
		before := len(srv.Notifications())
		m := sample
		m.ID = "rk0123456789abcdef0123456789abcd"
		for range 2 { // a crash between the server's accept and the record
			if err := ch.Deliver(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		got := srv.Received()
		if last := got[len(got)-1]; last.SequenceID != m.ID {
			t.Errorf("sequence_id %q; want the delivery's id %q", last.SequenceID, m.ID)
		}
		if n := len(srv.Notifications()) - before; n != 1 {
			t.Errorf("the phone shows %d notifications for one reminder sent twice; want 1", n)
		}
	})

	t.Run("username and password", func(t *testing.T) {
		ch := channel(t, base+"username = \"me\"\npassword = \"s3cret-pass\"\n", Options{})
		if err := ch.Deliver(ctx, sample); err != nil {
			t.Fatal(err)
		}
		if got := srv.Received(); got[len(got)-1].Auth != "basic:me" {
			t.Errorf("auth = %q", got[len(got)-1].Auth)
		}
	})

	t.Run("wrong token is permanent, with ntfy's words and no secret", func(t *testing.T) {
		ch := channel(t, base+"token = \"tk_wrong-secret\"\n", Options{})
		e := failure(t, ch.Deliver(ctx, sample), false, "401 Unauthorized: unauthorized (ntfy code 40101)")
		if e.Hint() == "" || strings.Contains(e.Error()+e.Hint(), "tk_wrong-secret") {
			t.Errorf("hint %q, error %q", e.Hint(), e.Error())
		}
	})

	t.Run("no write access to the topic is permanent", func(t *testing.T) {
		ch := channel(t, strings.Replace(base, "reminders", "other", 1)+"token = \"tk_goodtoken\"\n", Options{})
		failure(t, ch.Deliver(ctx, sample), false, "403 Forbidden: forbidden (ntfy code 40301)")
	})

	t.Run("rate limit is temporary", func(t *testing.T) {
		s := ntfytest.New()
		defer s.Close()
		s.RateLimit(2)
		ch := channel(t, "[channels.p]\ntype = \"ntfy\"\nurl = \""+s.URL+"\"\ntopic = \"t\"\n", Options{})
		for i := 0; i < 2; i++ {
			if err := ch.Deliver(ctx, sample); err != nil {
				t.Fatal(err)
			}
		}
		failure(t, ch.Deliver(ctx, sample), true, "429 Too Many Requests: limit reached")
		if n := len(s.Received()); n != 2 {
			t.Errorf("accepted %d; want 2", n)
		}
	})

	t.Run("5xx is temporary and Retry-After is honoured", func(t *testing.T) {
		s := ntfytest.New()
		defer s.Close()
		s.FailNext(1, http.StatusServiceUnavailable, "7")
		s.FailNext(1, http.StatusInternalServerError, "")
		ch := channel(t, "[channels.p]\ntype = \"ntfy\"\nurl = \""+s.URL+"\"\ntopic = \"t\"\n", Options{})
		if e := failure(t, ch.Deliver(ctx, sample), true, "503"); e.RetryAfter != 7*time.Second {
			t.Errorf("retry after %v; want 7s", e.RetryAfter)
		}
		failure(t, ch.Deliver(ctx, sample), true, "500")
		if err := ch.Deliver(ctx, sample); err != nil {
			t.Errorf("third try: %v", err)
		}
	})

	t.Run("closed port is temporary and quick", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		ch := channel(t, "[channels.p]\ntype = \"ntfy\"\nurl = \"http://"+addr+"\"\ntopic = \"t\"\n", Options{Timeout: 2 * time.Second})
		start := time.Now()
		e := failure(t, ch.Deliver(ctx, sample), true, "connection refused")
		if e.Hint() == "" || time.Since(start) > 2*time.Second {
			t.Errorf("hint %q after %v", e.Hint(), time.Since(start))
		}
	})

	t.Run("a server that never answers times out", func(t *testing.T) {
		block := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		defer hang.Close()
		defer close(block)
		ch := channel(t, "[channels.p]\ntype = \"ntfy\"\nurl = \""+hang.URL+"\"\ntopic = \"t\"\n", Options{Timeout: 300 * time.Millisecond})
		start := time.Now()
		failure(t, ch.Deliver(ctx, sample), true, "no answer within the timeout")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v; the timeout is 300ms", d)
		}
	})

	t.Run("the notify.Notifier interface", func(t *testing.T) {
		s := ntfytest.New()
		defer s.Close()
		ch := channel(t, "[channels.p]\ntype = \"ntfy\"\nurl = \""+s.URL+"\"\ntopic = \"t\"\n", Options{})
		if err := ch.Send(ctx, "subject", "body"); err != nil {
			t.Fatal(err)
		}
		if got := s.Received(); len(got) != 1 || got[0].Title != "subject" || got[0].Message != "body" {
			t.Errorf("received %+v", got)
		}
	})
}

func TestSlackWebhook(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	ctx := context.Background()
	t.Setenv("REKINDLE_TEST_HOOK", srv.WebhookURL())
	ch := channel(t, "[channels.team]\ntype = \"slack\"\nwebhook_url = \"${REKINDLE_TEST_HOOK}\"\n", Options{})

	if err := ch.Deliver(ctx, sample); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, sample.Title) || len(got[0].Blocks) != 2 {
		t.Fatalf("received %+v", got)
	}
	if !strings.Contains(string(got[0].Blocks[0]), `"type":"header"`) || !strings.Contains(string(got[0].Blocks[1]), `"It has been 41 days \u0026amp; counting.\n\n*Something to send*\n\u003eHi \u0026lt;Alice\u0026gt;!"`) {
		t.Errorf("blocks: %s", got[0].Blocks)
	}
	if u, m := got[0].UnfurlLinks, got[0].UnfurlMedia; u == nil || *u || m == nil || *m {
		t.Errorf("unfurl_links %v, unfurl_media %v; want both false, so Slack does not crawl the signed links", u, m)
	}

	srv.FailNext(1, http.StatusTooManyRequests, "rate_limited", 3)
	if e := failure(t, ch.Deliver(ctx, sample), true, "429 Too Many Requests: rate_limited"); e.RetryAfter != 3*time.Second {
		t.Errorf("retry after %v; want 3s", e.RetryAfter)
	}
	srv.FailNext(1, http.StatusInternalServerError, "rollup_error", 0)
	failure(t, ch.Deliver(ctx, sample), true, "500")
	srv.FailNext(1, http.StatusBadRequest, "invalid_payload", 0)
	failure(t, ch.Deliver(ctx, sample), false, "400 Bad Request: invalid_payload")
	srv.FailNext(1, http.StatusForbidden, "action_prohibited", 0)
	failure(t, ch.Deliver(ctx, sample), false, "403 Forbidden: action_prohibited")

	srv.Archive()
	e := failure(t, ch.Deliver(ctx, sample), false, "410 Gone: channel_is_archived")
	if e.Hint() == "" {
		t.Error("no hint for an archived channel")
	}

	t.Setenv("REKINDLE_TEST_HOOK", srv.URL+"/services/T0001/B0001/wrong-secret-part")
	wrong := channel(t, "[channels.team]\ntype = \"slack\"\nwebhook_url = \"${REKINDLE_TEST_HOOK}\"\n", Options{})
	e = failure(t, wrong.Deliver(ctx, sample), false, "404 Not Found: no_service")
	if strings.Contains(e.Error(), "wrong-secret-part") {
		t.Errorf("the webhook URL leaked: %v", e)
	}

	// A server that echoes the request path shows no part of the secret.
	echo := webhooktest.New()
	defer echo.Close()
	echo.FailNext(1, http.StatusBadRequest, "no route for POST "+echo.Path+" (token "+path.Base(echo.Path)+")", 0)
	fresh := channel(t, "[channels.team]\ntype = \"slack\"\nwebhook_url = \""+echo.WebhookURL()+"\"\n", Options{})
	e = failure(t, fresh.Deliver(ctx, sample), false, "400")
	if strings.Contains(e.Error(), "abcdefghijklmnopqrstuvwx") || strings.Contains(e.Error(), "/services/") {
		t.Errorf("the echoed webhook path leaked: %v", e)
	}

	// A closed port: temporary, and the secret URL is not in the error.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("REKINDLE_TEST_HOOK", "http://"+addr+"/services/T/B/very-secret-token")
	down := channel(t, "[channels.team]\ntype = \"slack\"\nwebhook_url = \"${REKINDLE_TEST_HOOK}\"\n", Options{})
	e = failure(t, down.Deliver(ctx, sample), true, "connection refused")
	if strings.Contains(e.Error(), "very-secret-token") || strings.Contains(e.Err.Error(), "very-secret-token") {
		t.Errorf("the webhook URL leaked: %v / %v", e, e.Err)
	}
	// Written in capitals, the URL reaches Go's errors rewritten in lower
	// case: that form is cut out too.
	t.Setenv("REKINDLE_TEST_HOOK", "HTTP://"+addr+"/services/T/B/very-secret-token")
	upper := channel(t, "[channels.team]\ntype = \"slack\"\nwebhook_url = \"${REKINDLE_TEST_HOOK}\"\n", Options{})
	e = failure(t, upper.Deliver(ctx, sample), true, "connection refused")
	if strings.Contains(e.Error(), "very-secret-token") || strings.Contains(e.Err.Error(), "very-secret-token") {
		t.Errorf("the rewritten webhook URL leaked: %v / %v", e, e.Err)
	}
}

func TestSlackBotToken(t *testing.T) {
	// slacktest serves the Web API; chat.postMessage is recorded here, as
	// slacktest itself only reports it to a websocket client.
	var form url.Values
	var auth string
	record := func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			form, auth = r.PostForm, r.Header.Get("Authorization")
			io.WriteString(w, `{"ok":true,"channel":"C0001","ts":"1700000000.000100"}`)
		})
	}
	srv := slacktest.NewTestServer(record)
	go srv.Start()
	defer srv.Stop()
	ctx := context.Background()
	cfg := "[channels.team]\ntype = \"slack\"\ntoken = \"xoxb-test-token\"\nchannel = \"#reminders\"\n"
	ch := channel(t, cfg, Options{SlackAPIURL: srv.GetAPIURL()})
	if err := ch.Deliver(ctx, sample); err != nil {
		t.Fatal(err)
	}
	token := form.Get("token") // slack-go sends it in the form, or as a Bearer header
	if auth != "" {
		token = strings.TrimPrefix(auth, "Bearer ")
	}
	if token != "xoxb-test-token" || form.Get("channel") != "#reminders" || form.Get("text") != slackEscape.Replace(sample.Title+"\n"+sample.Text()) {
		t.Errorf("posted auth %q, form %v", auth, form)
	}
	if b := form.Get("blocks"); !strings.Contains(b, `"type":"header"`) || !strings.Contains(b, `It has been 41 days \u0026amp; counting.`) {
		t.Errorf("blocks %s", b)
	}

	for _, tc := range []struct {
		name      string
		handler   http.HandlerFunc
		retryable bool
		msg       string
	}{
		{"invalid token", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		}, false, "Slack answered: invalid_auth"},
		{"unknown channel", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
		}, false, "channel_not_found"},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(http.StatusTooManyRequests)
		}, true, "Slack rate limit reached"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, true, "Slack answered 502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := slacktest.NewTestServer(func(c slacktest.Customize) { c.Handle("/chat.postMessage", tc.handler) })
			go s.Start()
			defer s.Stop()
			ch := channel(t, cfg, Options{SlackAPIURL: s.GetAPIURL()})
			e := failure(t, ch.Deliver(ctx, sample), tc.retryable, tc.msg)
			if tc.name == "rate limited" && e.RetryAfter != 4*time.Second {
				t.Errorf("retry after %v; want 4s", e.RetryAfter)
			}
			if strings.Contains(e.Error(), "xoxb-test-token") {
				t.Errorf("token leaked: %v", e)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	ctx := context.Background()
	users := map[string]string{"me@example.com": "mail-secret-pw"}
	config := func(port int, tls, password string) string {
		return "[channels.mail]\ntype = \"email\"\nhost = \"127.0.0.1\"\nport = " + strconv.Itoa(port) +
			"\ntls = \"" + tls + "\"\nusername = \"me@example.com\"\npassword = \"" + password + "\"\n" +
			"from = \"rekindle <me@example.com>\"\nto = [\"me@example.com\", \"other@example.com\"]\n"
	}
	for _, tc := range []struct {
		name string
		mode smtptest.Mode
		tls  string
	}{
		{"starttls", smtptest.StartTLS, "starttls"},
		{"implicit TLS", smtptest.Implicit, "implicit"},
		{"no TLS on loopback", smtptest.Plain, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := smtptest.Start(tc.mode, users)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			ch := channel(t, config(srv.Port(), tc.tls, "mail-secret-pw"), Options{RootCAs: srv.Roots})
			m := sample
			m.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.abc&x=1"}}
			if err := ch.Deliver(ctx, m); err != nil {
				t.Fatal(err)
			}
			got := srv.Mail()
			if len(got) != 1 {
				t.Fatalf("received %d mails; want 1", len(got))
			}
			mm := got[0]
			if mm.User != "me@example.com" || mm.From != "me@example.com" || len(mm.To) != 2 || mm.TLS != (tc.tls != "none") {
				t.Errorf("envelope: %+v", mm)
			}
			text, html := parseMail(t, mm.Data, map[string]string{
				"From": `"rekindle" <me@example.com>`, "To": "<me@example.com>, <other@example.com>", "Subject": sample.Title,
			})
			if !strings.Contains(text, "Open Alice in rekindle: https://r.example.org/people/alice?t=1.abc&x=1") ||
				!strings.Contains(html, `<a href="https://r.example.org/people/alice?t=1.abc&amp;x=1">Open Alice in rekindle</a>`) {
				t.Errorf("the dashboard link is missing:\ntext %q\nhtml %q", text, html)
			}
			if !strings.Contains(text, "It has been 41 days & counting.") || !strings.Contains(html, "<p>It has been 41 days &amp; counting.</p>") ||
				!strings.Contains(html, "<blockquote>Hi &lt;Alice&gt;!</blockquote>") {
				t.Errorf("text %q\nhtml %q", text, html)
			}
		})
	}

	t.Run("rejected login is permanent", func(t *testing.T) {
		srv, err := smtptest.Start(smtptest.StartTLS, users)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		ch := channel(t, config(srv.Port(), "starttls", "wrong-secret-pw"), Options{RootCAs: srv.Roots})
		e := failure(t, ch.Deliver(ctx, sample), false, "535")
		if e.Hint() != "check username and password" || strings.Contains(e.Error(), "wrong-secret-pw") {
			t.Errorf("hint %q, error %q", e.Hint(), e.Error())
		}
		if len(srv.Mail()) != 0 {
			t.Error("a mail went through with a wrong password")
		}
	})

	t.Run("a server echoing AUTH PLAIN shows no password", func(t *testing.T) {
		srv, err := smtptest.Start(smtptest.StartTLS, users)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		srv.EchoAuth()
		ch := channel(t, config(srv.Port(), "starttls", "wrong-secret-pw"), Options{RootCAs: srv.Roots})
		e := failure(t, ch.Deliver(ctx, sample), false, "535")
		echoed := base64.StdEncoding.EncodeToString([]byte("\x00me@example.com\x00wrong-secret-pw"))
		for _, text := range []string{e.Error(), e.Err.Error(), e.Describe()} {
			if strings.Contains(text, echoed) || strings.Contains(text, "wrong-secret-pw") || !strings.Contains(text, "[redacted]") {
				t.Errorf("the echoed credentials are not cut out: %q", text)
			}
		}
	})

	t.Run("a repeat has the same Message-ID", func(t *testing.T) {
		srv, err := smtptest.Start(smtptest.StartTLS, users)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		ch := channel(t, config(srv.Port(), "starttls", "mail-secret-pw"), Options{RootCAs: srv.Roots})
		m := sample
		m.ID = "rk0123456789abcdef0123456789abcd"
		for range 2 {
			if err := ch.Deliver(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		m.ID = "rkffffffffffffffffffffffffffffff"
		if err := ch.Deliver(ctx, m); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, mm := range srv.Mail() {
			msg, err := mail.ReadMessage(strings.NewReader(string(mm.Data)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, msg.Header.Get("Message-Id"))
		}
		if len(ids) != 3 || ids[0] != "<rk0123456789abcdef0123456789abcd.rekindle@example.com>" || ids[1] != ids[0] || ids[2] == ids[0] {
			t.Errorf("Message-IDs %q; want the first two equal, from the delivery id and the From domain", ids)
		}
	})

	t.Run("untrusted certificate is permanent", func(t *testing.T) {
		srv, err := smtptest.Start(smtptest.Implicit, users)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		ch := channel(t, config(srv.Port(), "implicit", "mail-secret-pw"), Options{})
		failure(t, ch.Deliver(ctx, sample), false, "certificate")
	})

	t.Run("a server that never speaks times out", func(t *testing.T) {
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
				defer c.Close() // hold it open, say nothing
			}
		}()
		ch := channel(t, config(ln.Addr().(*net.TCPAddr).Port, "starttls", "mail-secret-pw"), Options{Timeout: 500 * time.Millisecond})
		start := time.Now()
		failure(t, ch.Deliver(ctx, sample), true, "no answer within the timeout")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v; the timeout is 500ms", d)
		}
	})

	t.Run("server down is temporary", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		ch := channel(t, config(port, "starttls", "mail-secret-pw"), Options{Timeout: 2 * time.Second})
		start := time.Now()
		failure(t, ch.Deliver(ctx, sample), true, "connection refused")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v", d)
		}
	})
}

// parseMail checks the headers of a multipart/alternative mail and returns
// its text and HTML parts.
func parseMail(t *testing.T, data []byte, want map[string]string) (text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, data)
	}
	for k, v := range want {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("%s: %q; want %q", k, got, v)
		}
	}
	for _, k := range []string{"Date", "Message-Id"} {
		if msg.Header.Get(k) == "" {
			t.Errorf("no %s header", k)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		body := decodeQP(t, p.Header.Get("Content-Transfer-Encoding"), b)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = body
		case "text/html":
			html = body
		}
	}
	if text == "" || html == "" {
		t.Errorf("want a text and an HTML part; got text %q html %q", text, html)
	}
	return text, html
}

func TestDesktop(t *testing.T) {
	needs.Program(t, "dbus", "dbus-daemon")
	bus, err := desktoptest.StartBus(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	ctx := context.Background()
	ch := channel(t, "[channels.desk]\ntype = \"desktop\"\n", Options{DBusAddress: bus.Address, Timeout: 3 * time.Second})

	// Nobody serves notifications yet: a clear, temporary error.
	failure(t, ch.Deliver(ctx, sample), true, "no notification server is running")

	srv, err := desktoptest.Serve(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	m := sample
	m.Lead, m.Opener = "Say hi <3 & mean it", ""
	m.Priority = 2
	if err := ch.Deliver(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("received %d; want 1", len(got))
	}
	n := got[0]
	if n.AppName != "rekindle" || n.Summary != sample.Title || n.Body != "Say hi <3 & mean it" || n.Timeout != -1 {
		t.Errorf("notification %+v; a server without body-markup gets the text as it is", n)
	}
	if u, _ := n.Hints["urgency"].Value().(byte); u != 0 {
		t.Errorf("urgency %v; want 0 (low) for priority 2", n.Hints["urgency"])
	}

	// A server that reads markup gets the text escaped.
	srv.SetCapabilities("body", "body-markup")
	if err := ch.Deliver(ctx, m); err != nil {
		t.Fatal(err)
	}
	if b := srv.Received()[1].Body; b != "Say hi &lt;3 &amp; mean it" {
		t.Errorf("body %q; want it escaped for body-markup", b)
	}

	if c, _ := n.Hints["category"].Value().(string); c != "x-rekindle.reminder" || n.Hints["desktop-entry"].Value() != nil {
		t.Errorf("hints %v; want rekindle's own category and no desktop entry it does not ship", n.Hints)
	}
	m.Priority = 5
	if err := ch.Deliver(ctx, m); err != nil {
		t.Fatal(err)
	}
	if u, _ := srv.Received()[2].Hints["urgency"].Value().(byte); u != 1 {
		t.Errorf("urgency %v for priority 5; want normal, never critical (which never expires)", u)
	}

	// No DBUS_SESSION_BUS_ADDRESS (a user service may not have it): the
	// bus at $XDG_RUNTIME_DIR/bus, where the user manager puts it.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", bus.Dir)
	fallback := channel(t, "[channels.desk]\ntype = \"desktop\"\n", Options{Timeout: 3 * time.Second})
	if err := fallback.Deliver(ctx, sample); err != nil {
		t.Fatalf("through $XDG_RUNTIME_DIR/bus: %v", err)
	}
	if n := len(srv.Received()); n != 4 {
		t.Errorf("received %d; want the fourth through the fallback bus", n)
	}

	// No session bus at all: a clear error that says what to do.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	nobus := channel(t, "[channels.desk]\ntype = \"desktop\"\n", Options{})
	e := failure(t, nobus.Deliver(ctx, sample), true, "no session bus")
	if !strings.Contains(e.Hint(), "systemctl --user") {
		t.Errorf("hint %q", e.Hint())
	}
}

func TestConsole(t *testing.T) {
	var b strings.Builder
	ch := channel(t, "[channels.out]\ntype = \"console\"\n", Options{Stdout: &b})
	if err := ch.Deliver(context.Background(), Message{Title: "T", Lead: "line one\n\nline two"}); err != nil {
		t.Fatal(err)
	}
	if want := "== T\n   line one\n\n   line two\n\n"; b.String() != want {
		t.Errorf("console wrote %q; want %q", b.String(), want)
	}
}

func TestMain(m *testing.M) {
	// Desktop tests must not reach the developer's real session bus.
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	os.Exit(m.Run())
}

func decodeQP(t *testing.T, enc string, b []byte) string {
	t.Helper()
	switch strings.ToLower(enc) {
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(b))))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	case "base64":
		out, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r", ""), "\n", ""))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	return string(b)
}

// TestEveryChannelTypeBuilds: each channel type the config knows has a
// channel here, of that type.
func TestEveryChannelTypeBuilds(t *testing.T) {
	minimal := map[string]string{
		"ntfy":       "topic = \"t\"\n",
		"email":      "host = \"127.0.0.1\"\ntls = \"none\"\nfrom = \"me@example.com\"\nto = [\"me@example.com\"]\n",
		"slack":      "webhook_url = \"https://hooks.example.com/services/T/B/x\"\n",
		"webhook":    "url = \"https://hooks.example.com/x\"\n",
		"mattermost": "url = \"https://chat.example.org\"\nchannel = \"c1\"\ntoken = \"t\"\n",
		"telegram":   "token = \"1:x\"\nchat_id = 42\n",
		"discord":    "token = \"x\"\nchannel = \"1\"\n",
		"pushover":   "token = \"azGDORePK8gMaC0QOYAMyEEuzJnyUi\"\nuser = \"uQiRzpo4DXghDmr9QzzfQu27cmVRsG\"\n",
		"bark":       "device_key = \"k\"\n",
		"msteams":    "webhook_url = \"https://prod.logic.azure.com/x\"\n",
		"rocketchat": "url = \"https://chat.example.org\"\nuser_id = \"u\"\ntoken = \"t\"\nchannel = \"#general\"\n",
		"matrix":     "homeserver = \"https://matrix.example.org\"\nroom = \"!r:example.org\"\naccess_token = \"t\"\n",
	}
	for _, typ := range config.ChannelTypes() {
		cfg, err := config.Parse("t.toml", []byte("[channels.c]\ntype = \""+typ+"\"\n"+minimal[typ]))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		ch, err := New(cfg.Channels["c"], Options{})
		if err != nil || ch.Type() != typ || ch.Name() != "c" {
			t.Errorf("%s: New = %v, %v", typ, ch, err)
		}
	}
}

type notifierFunc func(ctx context.Context, subject, message string) error

func (f notifierFunc) Send(ctx context.Context, subject, message string) error {
	return f(ctx, subject, message)
}

// TestSendThroughNotify: send goes through notify's Notify to the service
// with the subject and message as given, and hands back the service's own
// error (not notify's joined one), which the channels classify.
func TestSendThroughNotify(t *testing.T) {
	var got []string
	refused := errors.New("refused: 429")
	svc := notifierFunc(func(_ context.Context, subject, message string) error {
		got = append(got, subject, message)
		if subject == "fail" {
			return refused
		}
		return nil
	})
	if err := send(context.Background(), svc, "title", "body"); err != nil || !slices.Equal(got, []string{"title", "body"}) {
		t.Errorf("send = %v; the service got %q", err, got)
	}
	if err := send(context.Background(), svc, "fail", "body"); err != refused {
		t.Errorf("send = %#v; want the service's own error", err)
	}
}
