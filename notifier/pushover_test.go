package notifier

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gregdel/pushover"
	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestPushover(t *testing.T) {
	srv := notifytest.NewPushover()
	defer srv.Close()
	// The seam: gregdel/pushover's API base is a package variable.
	saved := pushover.APIEndpoint
	pushover.APIEndpoint = srv.Endpoint()
	t.Cleanup(func() { pushover.APIEndpoint = saved })
	ctx := context.Background()
	cfg := func(token, user string) string {
		return fmt.Sprintf("[channels.po]\ntype = \"pushover\"\ntoken = %q\nuser = %q\n", token, user)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg(srv.App, srv.User), Options{Timeout: time.Second})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Got()[0]
	if got.Get("title") != msg.Title || !strings.Contains(got.Get("message"), "It has been 41 days & counting.") ||
		!strings.Contains(got.Get("message"), "Open Alice in rekindle: https://r.example.org/people/alice?t=1.x") {
		t.Errorf("form %v", got)
	}
	long := sample
	long.Lead = strings.Repeat("long ", 400)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}

	e := failure(t, channel(t, cfg(srv.App, strings.Repeat("x", 30)), Options{}).Deliver(ctx, msg), false, "user identifier is not a valid user")
	if !strings.Contains(e.Hint(), "user key") {
		t.Errorf("hint %q", e.Hint())
	}
	e = failure(t, channel(t, cfg(strings.Repeat("y", 30), srv.User), Options{}).Deliver(ctx, msg), false, "application token is invalid")
	if !strings.Contains(e.Hint(), "token") || strings.Contains(e.Error()+fmt.Sprint(e.Err), strings.Repeat("y", 30)) {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint())
	}
	srv.Answer(429, 500)
	failure(t, ch.Deliver(ctx, msg), true, "monthly message limit")
	failure(t, ch.Deliver(ctx, msg), true, "server error")
	// A server that never answers: the channel's timeout ends the wait.
	srv.HangOnce()
	began := time.Now()
	failure(t, ch.Deliver(ctx, msg), true, "no answer within the timeout")
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the send waited %v", took)
	}
}
