package notifier

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
