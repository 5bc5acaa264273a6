package notifier

import (
	"context"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
)

// TestNtfyClosedServer: a server that lets only a login publish answers a
// publisher with no credentials 403, as ntfy does; the hint says to set a
// token, and only a login that may not publish hears that it may not.
func TestNtfyClosedServer(t *testing.T) {
	srv := ntfytest.New()
	defer srv.Close()
	srv.RequireToken("tk_goodtoken", "reminders")
	ctx := context.Background()
	base := "[channels.phone]\ntype = \"ntfy\"\nurl = \"" + srv.URL + "\"\ntopic = \"reminders\"\n"

	e := failure(t, channel(t, base, Options{}).Deliver(ctx, sample), false, "403 Forbidden: forbidden (ntfy code 40301)")
	if !strings.Contains(e.Hint(), "set token") || !strings.Contains(e.Hint(), "[channels.phone]") || strings.Contains(e.Hint(), "this login") {
		t.Errorf("no credentials: hint %q; want the advice to set a token in [channels.phone]", e.Hint())
	}

	e = failure(t, channel(t, strings.Replace(base, "reminders", "other", 1)+"token = \"tk_goodtoken\"\n", Options{}).Deliver(ctx, sample),
		false, "403 Forbidden: forbidden (ntfy code 40301)")
	if e.Hint() != `this login may not publish to topic "other"` {
		t.Errorf("a token without access: hint %q", e.Hint())
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("the server accepted %d messages", n)
	}
}
