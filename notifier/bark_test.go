package notifier

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestBark(t *testing.T) {
	srv := notifytest.NewBark()
	defer srv.Close()
	ctx := context.Background()
	cfg := func(key string) string {
		return fmt.Sprintf("[channels.bk]\ntype = \"bark\"\ndevice_key = %q\nserver = %q\n", key, srv.URL)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("bark-device-key-1"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	p := srv.Pushes()[0]
	if p["title"] != msg.Title || !strings.Contains(fmt.Sprint(p["body"]), "Open Alice in rekindle: https://r.example.org/people/alice?t=1.x") {
		t.Errorf("push %v", p)
	}
	e := failure(t, channel(t, cfg("wrong-device-key"), Options{}).Deliver(ctx, msg), false, "server answered 400 Bad Request: failed to get device token")
	if !strings.Contains(e.Hint(), "device_key") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-device-key") {
		t.Errorf("bad key: %v (hint %q)", e, e.Hint())
	}
	srv.Fail(1)
	failure(t, ch.Deliver(ctx, msg), true, "server answered 500 Internal Server Error: push failed")
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "bark-device-key-1") {
		t.Errorf("the key shows: %v", e)
	}
}
