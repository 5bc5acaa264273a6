package notifier

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestTelegram(t *testing.T) {
	srv := notifytest.NewTelegram()
	defer srv.Close()
	ctx := context.Background()
	// The seam: the bot library's endpoint is a constant, so the channel's
	// http.Client sends its requests to the test server.
	o := Options{HTTPClient: notifytest.Redirect(srv.Server)}
	cfg := func(token, chat string) string {
		return fmt.Sprintf("[channels.tg]\ntype = \"telegram\"\ntoken = %q\nchat_id = %s\n", token, chat)
	}
	ch := channel(t, cfg(srv.Token, srv.Chat), o)
	if len(srv.Requests()) != 0 {
		t.Fatal("building the channel called Telegram; it must wait for the first send")
	}
	msg := sample
	msg.Starters = []string{"They're into <chess> & tea."}
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x&y=2"}}
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Sent()[0]
	text := got.Get("text")
	for _, want := range []string{"<b>Time to catch up with Alice</b>\n", "It has been 41 days &amp; counting.", "• They&#39;re into &lt;chess&gt; &amp; tea.",
		"<i>Hi &lt;Alice&gt;!</i>", `<a href="https://r.example.org/people/alice?t=1.x&amp;y=2">Open Alice in rekindle</a>`} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %q:\n%s", want, text)
		}
	}
	if got.Get("parse_mode") != "HTML" || got.Get("chat_id") != "4242" {
		t.Errorf("form %v", got)
	}
	// A long message is cut as plain text, never through a tag.
	long := sample
	long.Lead = strings.Repeat("<long> & ", 900)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}

	srv.Limit(1)
	e := failure(t, ch.Deliver(ctx, msg), true, "Too Many Requests")
	if e.RetryAfter != 7*time.Second {
		t.Errorf("retry after %v; want 7s", e.RetryAfter)
	}
	srv.Block(true)
	e = failure(t, ch.Deliver(ctx, msg), false, "Forbidden: bot was blocked by the user")
	if !strings.Contains(e.Hint(), "start a chat") {
		t.Errorf("hint %q", e.Hint())
	}
	srv.Block(false)
	e = failure(t, channel(t, cfg(srv.Token, "999"), o).Deliver(ctx, msg), false, "Bad Request: chat not found")
	if !strings.Contains(e.Hint(), "chat_id") {
		t.Errorf("hint %q", e.Hint())
	}
	e = failure(t, channel(t, cfg("123456:wrong-token", srv.Chat), o).Deliver(ctx, msg), false, "Unauthorized")
	if !strings.Contains(e.Hint(), "@BotFather") {
		t.Errorf("hint %q", e.Hint())
	}
	// No server: temporary, and the token (in every request's URL) is
	// never shown.
	srv.Close()
	e = failure(t, channel(t, cfg(srv.Token, srv.Chat), o).Deliver(ctx, msg), true, "")
	if s := e.Error() + fmt.Sprint(e.Err); strings.Contains(s, "ABC-bot-token") {
		t.Errorf("the token shows: %s", s)
	}
}
