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

// rocketChatConfig is a rocketchat channel on the server at url; the seam
// is the server's address, which notify's service takes as host and scheme.
func rocketChatConfig(url, userID, token, channel string) string {
	return fmt.Sprintf("[channels.rc]\ntype = \"rocketchat\"\nurl = %q\nuser_id = %q\ntoken = %q\nchannel = %q\n", url, userID, token, channel)
}

func TestRocketChat(t *testing.T) {
	srv := notifytest.NewRocketChat()
	defer srv.Close()
	ctx := context.Background()
	msg := sample
	msg.Starters = []string{"her trip to Lisbon"}
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, rocketChatConfig(srv.URL, srv.UserID, srv.Token, "#general"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].Channel != "#general" {
		t.Fatalf("messages %+v", got)
	}
	text := got[0].Text
	if !strings.HasPrefix(text, "*Time to catch up with Alice*\nIt has been 41 days & counting.") {
		t.Errorf("the text does not start with the title in bold and the lead:\n%s", text)
	}
	for _, want := range []string{"*Conversation starters*\n- her trip to Lisbon", "*Something to send*\n> Hi <Alice>!", "[Open Alice in rekindle](https://r.example.org/people/alice?t=1.x)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}

	// A long message (a digest) is cut under the server's limit.
	long := sample
	long.Lead = strings.Repeat("a long line. ", 600)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}

	// The server's refusals, classified, with hints, and no secret shown.
	bad := channel(t, rocketChatConfig(srv.URL, srv.UserID, "wrong-token-123", "#general"), Options{})
	e := failure(t, bad.Deliver(ctx, msg), false, "server answered 401 Unauthorized")
	if e.Status != http.StatusUnauthorized || !strings.Contains(e.Hint(), "token") || strings.Contains(e.Error(), "wrong-token-123") || strings.Contains(fmt.Sprint(e.Err), "wrong-token-123") {
		t.Errorf("wrong token: %v (status %d, hint %q)", e, e.Status, e.Hint())
	}
	nowhere := channel(t, rocketChatConfig(srv.URL, srv.UserID, srv.Token, "#nowhere"), Options{})
	e = failure(t, nowhere.Deliver(ctx, msg), false, "[invalid-channel]")
	if !strings.Contains(e.Hint(), "check channel") {
		t.Errorf("hint %q", e.Hint())
	}
	srv.Limit(1)
	e = failure(t, ch.Deliver(ctx, msg), true, "too many requests")
	if e.RetryAfter != 12*time.Second || e.Status != http.StatusTooManyRequests {
		t.Errorf("rate limit: RetryAfter %v, status %d", e.RetryAfter, e.Status)
	}
	srv.Down(1)
	e = failure(t, ch.Deliver(ctx, msg), true, "server answered 502 Bad Gateway")
	if e.Status != http.StatusBadGateway {
		t.Errorf("status %d", e.Status)
	}
	srv.Fail(1)
	failure(t, ch.Deliver(ctx, msg), true, "Rocket.Chat refused the message: Internal server error")
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Errorf("after the limit: %v", err)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("%d messages; want 3", n)
	}
	srv.Close()
	failure(t, ch.Deliver(ctx, msg), true, "connection refused")
}

// TestRocketChatTimeout: the SDK has no timeout of its own; the channel's
// bounds the wait.
func TestRocketChatTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	// Cleanups run last first: the handler is let go before the server
	// waits for it.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ch := channel(t, rocketChatConfig(srv.URL, "u", "t", "#general"), Options{Timeout: 200 * time.Millisecond})
	start := time.Now()
	failure(t, ch.Deliver(context.Background(), sample), true, "no answer within the timeout")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %v", d)
	}
}
