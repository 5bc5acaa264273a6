package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// Discord speaks Discord's API v10 for a bot's message: POST
// /api/v10/channels/{id}/messages with "Authorization: Bot TOKEN" and
// {"content"} of at most 2,000 characters; its errors {"message", "code"}:
// 401, 403 Missing Access (50001), 404 Unknown Channel (10003), 400
// Invalid Form Body (50035), and 429 {"message", "retry_after", "global"}
// with Retry-After and the X-RateLimit headers. It also has one webhook,
// POST /api/webhooks/{WebhookID}/{WebhookToken} with {"content"}: 204 No
// Content, 401 Invalid Webhook Token (50027), 404 Unknown Webhook (10015),
// 400 Cannot send an empty message (50006).
//
// It has one bot (Token), which may post in channel Channel; channel
// NoAccess exists but the bot is not in its server. discordgo's endpoints
// are package variables: Endpoint is the value for EndpointChannels.
type Discord struct {
	*httptest.Server
	Token, Channel, NoAccess string
	WebhookID, WebhookToken  string

	mu      sync.Mutex
	posts   []string
	limited int
}

// NewDiscord starts a server.
func NewDiscord() *Discord {
	s := &Discord{Token: "discord-bot-token", Channel: "111", NoAccess: "222", WebhookID: "333", WebhookToken: "hook-token-abc"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/webhooks/{id}/{token}", s.hook)
	mux.HandleFunc("POST /api/v10/channels/{id}/messages", s.post)
	s.Server = httptest.NewServer(mux)
	return s
}

// Endpoint is discordgo's EndpointChannels for this server.
func (s *Discord) Endpoint() string { return s.URL + "/api/v10/channels/" }

// Posts returns the contents posted.
func (s *Discord) Posts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// Limit rate-limits the next n posts (for 50 ms each).
func (s *Discord) Limit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = n
}

func (s *Discord) post(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		reply(w, 401, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	switch r.PathValue("id") {
	case s.Channel:
	case s.NoAccess:
		reply(w, 403, map[string]any{"message": "Missing Access", "code": 50001})
		return
	default:
		reply(w, 404, map[string]any{"message": "Unknown Channel", "code": 10003})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if next(&s.limited) {
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
	reply(w, 200, map[string]any{"id": "m1", "channel_id": s.Channel, "content": in.Content})
}

func (s *Discord) hook(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.PathValue("id") != s.WebhookID:
		reply(w, 404, map[string]any{"message": "Unknown Webhook", "code": 10015})
		return
	case r.PathValue("token") != s.WebhookToken:
		reply(w, 401, map[string]any{"message": "Invalid Webhook Token", "code": 50027})
		return
	}
	var in struct{ Content string }
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Content == "" {
		reply(w, 400, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts = append(s.posts, in.Content)
	w.WriteHeader(http.StatusNoContent)
}
