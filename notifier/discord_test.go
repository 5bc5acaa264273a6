package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// discordServer speaks Discord's API v10 for a bot's message:
// POST /api/v10/channels/{id}/messages with "Authorization: Bot TOKEN"
// and {"content"}; its errors {"message", "code"}: 401, 403 Missing Access
// (50001), 404 Unknown Channel (10003), and 429 {"message", "retry_after",
// "global"} with the X-RateLimit headers.
type discordServer struct {
	*httptest.Server
	mu      sync.Mutex
	posts   []string
	limited int
}

func newDiscordServer(t *testing.T) *discordServer {
	s := &discordServer{}
	reply := func(w http.ResponseWriter, status int, doc map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(doc)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v10/channels/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot discord-bot-token" {
			reply(w, 401, map[string]any{"message": "401: Unauthorized", "code": 0})
			return
		}
		switch r.PathValue("id") {
		case "111":
		case "222":
			reply(w, 403, map[string]any{"message": "Missing Access", "code": 50001})
			return
		default:
			reply(w, 404, map[string]any{"message": "Unknown Channel", "code": 10003})
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.limited > 0 {
			s.limited--
			w.Header().Set("X-RateLimit-Limit", "5")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", "0.05")
			w.Header().Set("Retry-After", "0.05")
			reply(w, 429, map[string]any{"message": "You are being rate limited.", "retry_after": 0.05, "global": false})
			return
		}
		var in struct{ Content string }
		json.NewDecoder(r.Body).Decode(&in)
		if len([]rune(in.Content)) > 2000 {
			reply(w, 400, map[string]any{"message": "Invalid Form Body", "code": 50035})
			return
		}
		s.posts = append(s.posts, in.Content)
		reply(w, 200, map[string]any{"id": "m1", "channel_id": "111", "content": in.Content})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestDiscord(t *testing.T) {
	srv := newDiscordServer(t)
	// The seam: discordgo's endpoints are package variables; the test
	// points the channels' one at its server.
	saved := discordgo.EndpointChannels
	discordgo.EndpointChannels = srv.URL + "/api/v10/channels/"
	t.Cleanup(func() { discordgo.EndpointChannels = saved })
	ctx := context.Background()
	cfg := func(token, ch string) string {
		return fmt.Sprintf("[channels.dc]\ntype = \"discord\"\ntoken = %q\nchannel = %q\n", token, ch)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("discord-bot-token", "111"), Options{})
	// A 429 is waited out by discordgo and the post goes through.
	srv.limited = 1
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if len(srv.posts) != 1 {
		t.Fatalf("%d posts", len(srv.posts))
	}
	for _, want := range []string{"**Time to catch up with Alice**\n", "**Something to send**", "[Open Alice in rekindle](<https://r.example.org/people/alice?t=1.x>)"} {
		if !strings.Contains(srv.posts[0], want) {
			t.Errorf("the post lacks %q:\n%s", want, srv.posts[0])
		}
	}
	long := sample
	long.Lead = strings.Repeat("a long line. ", 300)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}
	e := failure(t, channel(t, cfg("wrong-token", "111"), Options{}).Deliver(ctx, msg), false, "server answered 401 Unauthorized: 401: Unauthorized")
	if !strings.Contains(e.Hint, "token") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-token") {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint)
	}
	e = failure(t, channel(t, cfg("discord-bot-token", "222"), Options{}).Deliver(ctx, msg), false, "server answered 403 Forbidden: Missing Access")
	if !strings.Contains(e.Hint, "not in the server") {
		t.Errorf("hint %q", e.Hint)
	}
	e = failure(t, channel(t, cfg("discord-bot-token", "333"), Options{}).Deliver(ctx, msg), false, "server answered 404 Not Found: Unknown Channel")
	if !strings.Contains(e.Hint, "channel's id") {
		t.Errorf("hint %q", e.Hint)
	}
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "discord-bot-token") {
		t.Errorf("the token shows: %v", e)
	}
}
