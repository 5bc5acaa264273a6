package notifier

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

// matrixConfig is a matrix channel on srv; the seam is the homeserver URL,
// which notify's service takes as it is.
func matrixConfig(homeserver, room, token string) string {
	return fmt.Sprintf("[channels.mx]\ntype = \"matrix\"\nhomeserver = %q\nroom = %q\naccess_token = %q\n", homeserver, room, token)
}

func TestMatrix(t *testing.T) {
	srv := notifytest.NewMatrix()
	defer srv.Close()
	ctx := context.Background()
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, matrixConfig(srv.URL, srv.Room, srv.Token), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if m.Room != srv.Room || m.MsgType != "m.text" || m.TxnID == "" {
		t.Errorf("message %+v", m)
	}
	if !strings.HasPrefix(m.Body, "Time to catch up with Alice\n\nIt has been 41 days & counting.") {
		t.Errorf("the body does not start with the title and the lead:\n%s", m.Body)
	}
	for _, want := range []string{"Hi <Alice>!", "Open Alice in rekindle: https://r.example.org/people/alice?t=1.x"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the body lacks %q:\n%s", want, m.Body)
		}
	}

	// A wrong token: the send fails without a reason, and the homeserver's
	// answer to whoami says why.
	bad := channel(t, matrixConfig(srv.URL, srv.Room, "syt_wrong_token"), Options{})
	e := failure(t, bad.Deliver(ctx, msg), false, "server answered 401 Unauthorized: Invalid access token passed. (M_UNKNOWN_TOKEN)")
	if !strings.Contains(e.Hint(), "access_token") || strings.Contains(e.Error(), "syt_wrong_token") || strings.Contains(fmt.Sprint(e.Err), "syt_wrong_token") {
		t.Errorf("wrong token: %v (hint %q)", e, e.Hint())
	}

	// A room the account is not in.
	other := channel(t, matrixConfig(srv.URL, "!elsewhere:example.org", srv.Token), Options{})
	e = failure(t, other.Deliver(ctx, msg), false, "@rekindle:example.org is not in room !elsewhere:example.org")
	if !strings.Contains(e.Hint(), "invite") {
		t.Errorf("hint %q", e.Hint())
	}

	// Not the client API's base URL.
	wrongURL := channel(t, matrixConfig(srv.URL+"/element", srv.Room, srv.Token), Options{})
	e = failure(t, wrongURL.Deliver(ctx, msg), false, "server answered 404 Not Found: Unrecognized request (M_UNRECOGNIZED)")
	if !strings.Contains(e.Hint(), "check homeserver") {
		t.Errorf("hint %q", e.Hint())
	}

	// A rate limit and a server error are temporary.
	srv.Limit(1)
	failure(t, ch.Deliver(ctx, msg), true, "the homeserver refused the message")
	srv.Fail(1)
	failure(t, ch.Deliver(ctx, msg), true, "the homeserver refused the message")
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Errorf("after the limit: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages; want 2", n)
	}

	srv.Close()
	failure(t, ch.Deliver(ctx, msg), true, "connection refused")
}

// TestMatrixFailureReadsTheAnswer: rekindle's own questions to the
// homeserver keep its rate limit (retry_after_ms, or Retry-After first).
func TestMatrixFailureReadsTheAnswer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":7500}`)
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ch := channel(t, matrixConfig(srv.URL, "!r:example.org", "tok"), Options{})
	e := failure(t, ch.Deliver(context.Background(), sample), true, "server answered 429 Too Many Requests: Too Many Requests (M_LIMIT_EXCEEDED)")
	if e.RetryAfter != 7500*time.Millisecond {
		t.Errorf("RetryAfter = %v; want 7.5s", e.RetryAfter)
	}
}
