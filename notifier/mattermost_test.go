package notifier

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestMattermost(t *testing.T) {
	srv := notifytest.NewMattermost()
	defer srv.Close()
	ctx := context.Background()
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	withToken := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\ntoken = \"bot-token-123\"\n", srv.URL), Options{})
	if err := withToken.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	withLogin := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\nlogin_id = \"me\"\npassword = \"pw-456\"\n", srv.URL), Options{})
	if err := withLogin.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts", len(posts))
	}
	p := posts[0]["message"]
	for _, want := range []string{"**Time to catch up with Alice**\n", "It has been 41 days & counting.", "**Something to send**", "[Open Alice in rekindle](https://r.example.org/people/alice?t=1.x)"} {
		if !strings.Contains(p, want) {
			t.Errorf("the post lacks %q:\n%s", want, p)
		}
	}

	// The server's refusals, classified, with hints, and no secret shown.
	bad := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\ntoken = \"wrong-token\"\n", srv.URL), Options{})
	e := failure(t, bad.Deliver(ctx, msg), false, "server answered 401 Unauthorized: Invalid or expired session")
	if !strings.Contains(e.Hint(), "token") || strings.Contains(e.Error(), "wrong-token") {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint())
	}
	badLogin := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\nlogin_id = \"me\"\npassword = \"not-it\"\n", srv.URL), Options{})
	e = failure(t, badLogin.Deliver(ctx, msg), false, "server answered 401 Unauthorized: Enter a valid email or username")
	if !strings.Contains(e.Hint(), "login_id and password") || strings.Contains(e.Error(), "not-it") || strings.Contains(fmt.Sprint(e.Err), "not-it") {
		t.Errorf("bad login: %v (hint %q)", e, e.Hint())
	}
	other := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"town-square\"\ntoken = \"bot-token-123\"\n", srv.URL), Options{})
	e = failure(t, other.Deliver(ctx, msg), false, "server answered 403 Forbidden: You do not have the appropriate permissions.")
	if !strings.Contains(e.Hint(), "channel") {
		t.Errorf("hint %q", e.Hint())
	}
	srv.Limit(true)
	failure(t, withToken.Deliver(ctx, msg), true, "server answered 429 Too Many Requests: limit exceeded")
	srv.Close()
	failure(t, withToken.Deliver(ctx, msg), true, "")
}

// TestMattermostIncomingWebhook: the README's recipe for an incoming
// webhook (the webhook type with a body template) posts what Mattermost
// takes, and its refusal is permanent.
func TestMattermostIncomingWebhook(t *testing.T) {
	srv := notifytest.NewMattermost()
	defer srv.Close()
	cfg := func(key string) string {
		return fmt.Sprintf("[channels.mm]\ntype = \"webhook\"\nurl = %q\nbody = '{\"text\": {{json (print \"**\" .Title \"**\\n\" .Markdown)}}}'\n", srv.URL+"/hooks/"+key)
	}
	msg := sample
	if err := channel(t, cfg(srv.HookKey), Options{}).Deliver(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0]["via"] != "hook" || !strings.HasPrefix(posts[0]["message"], "**Time to catch up with Alice**\nIt has been 41 days") || !strings.Contains(posts[0]["message"], "**Something to send**\n> Hi <Alice>!") {
		t.Errorf("posts %q", posts)
	}
	failure(t, channel(t, cfg("not-the-key"), Options{}).Deliver(context.Background(), msg), false, "server answered 400 Bad Request")
}
