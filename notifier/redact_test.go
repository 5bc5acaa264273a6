package notifier

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/internal/testsupport/leak"
)

// echo is a server that refuses every request with 401 and writes back
// what it was sent: its Authorization header and its body, as some
// servers do in their error documents.
func echo(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "refused: Authorization: %s; body: %s", r.Header.Get("Authorization"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// shows fails t when the error's text, wherever it goes (the log, the
// outbox, a failure notice), shows secret.
func shows(t *testing.T, err error, secret string) {
	t.Helper()
	var e *Error
	if err == nil {
		t.Fatal("no error")
	}
	texts := []string{err.Error()}
	if asError(err, &e) {
		texts = append(texts, e.Describe(), e.Hint())
		if e.Err != nil {
			texts = append(texts, e.Err.Error())
		}
	}
	for _, text := range texts {
		if leak.Shows(text, secret) {
			t.Errorf("the error shows the secret %q: %s", secret, text)
		}
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// TestEchoedCredentialsAreCut: a server that echoes the request shows no
// secret in the failure: ntfy's user and password as a Basic header,
// whatever the user name's length (before, only a 9-byte name hid it), a
// webhook URL's user:password as a Basic header, a Mattermost password
// JSON-escaped (<, > and & as \u003c...).
func TestEchoedCredentialsAreCut(t *testing.T) {
	ctx := context.Background()
	srv := echo(t)
	for n := 1; n <= 12; n++ {
		user := strings.Repeat("u", n)
		ch := channel(t, fmt.Sprintf("[channels.n]\ntype = \"ntfy\"\nurl = %q\ntopic = \"t\"\nusername = %q\npassword = \"ntfy-pass-word\"\n", srv.URL, user), Options{})
		err := ch.Deliver(ctx, sample)
		failure(t, err, false, "401")
		shows(t, err, "ntfy-pass-word")
	}
	hook := strings.Replace(srv.URL, "http://", "http://hookuser:hook-pass-word@", 1) + "/in"
	err := channel(t, fmt.Sprintf("[channels.h]\ntype = \"webhook\"\nurl = %q\n", hook), Options{}).Deliver(ctx, sample)
	failure(t, err, false, "401")
	shows(t, err, "hook-pass-word")

	err = channel(t, fmt.Sprintf("[channels.m]\ntype = \"mattermost\"\nurl = %q\nchannel = \"c\"\nlogin_id = \"me\"\npassword = \"<mm&pass>word\"\n", srv.URL), Options{}).Deliver(ctx, sample)
	failure(t, err, false, "401")
	for _, piece := range []string{"<mm&pass>word", `\u003cmm\u0026pass\u003eword`} {
		shows(t, err, piece)
	}
}

// TestFailuresKeepNoSecret: a channel's failure that shows the secret of
// another channel (a server that echoes what it got in a form the channel
// itself did not cut) is cut out by the config's Redactor before it is
// stored in the outbox and before the failure notice goes to the other
// channels.
func TestFailuresKeepNoSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const secret = "mail-password-123"
		basic := base64.StdEncoding.EncodeToString([]byte("me@example.org:" + secret))
		bad := &Error{Channel: "phone", Status: 401, Msg: "server answered 401: you sent Basic " + basic, Fix: "not " + secret}
		slow := &Error{Channel: "pager", Retryable: true, Msg: "server answered 503: " + url.QueryEscape(secret)}
		phone := &scripted{name: "phone", errs: []error{bad}}
		pager := &scripted{name: "pager", errs: []error{slow}}
		mail := &scripted{name: "mail"}
		f := start(t, phone, pager, mail)
		r := redact.New()
		r.AddLogin("me@example.org", secret)
		f.d.Redact(func() *redact.Redactor { return r })
		f.enqueue(t, "alice", false, "phone", "pager", "mail")
		time.Sleep(time.Second)
		synctest.Wait()
		all, _ := f.j.Deliveries(context.Background(), "", 0)
		kept := 0
		for _, d := range all {
			if d.LastError != "" {
				kept++
			}
			if leak.Shows(d.LastError, secret) {
				t.Errorf("the outbox keeps %q", d.LastError)
			}
		}
		if kept != 2 {
			t.Errorf("%d rows keep an error; want the phone's and the pager's", kept)
		}
		notices := 0
		for _, m := range append(mail.received(), pager.received()...) {
			if strings.Contains(m.Title, "is failing") {
				notices++
				if leak.Shows(m.Title+m.Lead, secret) || !strings.Contains(m.Lead, redact.Mark) {
					t.Errorf("the notice shows the secret: %s", m.Lead)
				}
			}
		}
		if notices == 0 {
			t.Error("no failure notice")
		}
		f.stop(t)
	})
}
