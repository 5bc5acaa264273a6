package notifier

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestDiscord(t *testing.T) {
	srv := notifytest.NewDiscord()
	defer srv.Close()
	// The seam: discordgo's endpoints are package variables; the test
	// points the channels' one at its server.
	saved := discordgo.EndpointChannels
	discordgo.EndpointChannels = srv.Endpoint()
	t.Cleanup(func() { discordgo.EndpointChannels = saved })
	ctx := context.Background()
	cfg := func(token, ch string) string {
		return fmt.Sprintf("[channels.dc]\ntype = \"discord\"\ntoken = %q\nchannel = %q\n", token, ch)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("discord-bot-token", "111"), Options{})
	// A 429 is waited out by discordgo and the post goes through.
	srv.Limit(1)
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	for _, want := range []string{"**Time to catch up with Alice**\n", "**Something to send**", "[Open Alice in rekindle](<https://r.example.org/people/alice?t=1.x>)"} {
		if !strings.Contains(posts[0], want) {
			t.Errorf("the post lacks %q:\n%s", want, posts[0])
		}
	}
	long := sample
	long.Lead = strings.Repeat("a long line. ", 300)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}
	e := failure(t, channel(t, cfg("wrong-token", "111"), Options{}).Deliver(ctx, msg), false, "server answered 401 Unauthorized: 401: Unauthorized")
	if !strings.Contains(e.Hint(), "token") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-token") {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint())
	}
	e = failure(t, channel(t, cfg("discord-bot-token", "222"), Options{}).Deliver(ctx, msg), false, "server answered 403 Forbidden: Missing Access")
	if !strings.Contains(e.Hint(), "not in the server") {
		t.Errorf("hint %q", e.Hint())
	}
	e = failure(t, channel(t, cfg("discord-bot-token", "333"), Options{}).Deliver(ctx, msg), false, "server answered 404 Not Found: Unknown Channel")
	if !strings.Contains(e.Hint(), "channel's id") {
		t.Errorf("hint %q", e.Hint())
	}
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "discord-bot-token") {
		t.Errorf("the token shows: %v", e)
	}
}

// TestDiscordWebhook: the README's recipe for a Discord webhook (the
// webhook type with a body template) posts what Discord takes, and a
// wrong webhook token is permanent and not shown.
func TestDiscordWebhook(t *testing.T) {
	srv := notifytest.NewDiscord()
	defer srv.Close()
	cfg := func(token string) string {
		return fmt.Sprintf("[channels.dc]\ntype = \"webhook\"\nurl = %q\nbody = '{\"content\": {{json (print \"**\" .Title \"**\\n\" .Markdown)}}}'\n", srv.URL+"/api/webhooks/"+srv.WebhookID+"/"+token)
	}
	if err := channel(t, cfg(srv.WebhookToken), Options{}).Deliver(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if posts := srv.Posts(); len(posts) != 1 || !strings.HasPrefix(posts[0], "**Time to catch up with Alice**\nIt has been 41 days") {
		t.Errorf("posts %q", posts)
	}
	e := failure(t, channel(t, cfg("wrong-hook-token"), Options{}).Deliver(context.Background(), sample), false, "server answered 401 Unauthorized")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-hook-token") {
		t.Errorf("the webhook's token shows: %v", e)
	}
}
