package notifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

// RocketChatMessage is a posted message as received.
type RocketChatMessage struct {
	Channel string `json:"channel"`
	Text    string `json:"text"`
}

// RocketChat is a Rocket.Chat server, written from its REST API as far as
// posting a message needs it:
//
//   - POST /api/v1/chat.postMessage with X-User-Id and X-Auth-Token and a
//     JSON body (channel: "#name", "@username" or a room id; text): 200
//     with {"success": true, "channel": ..., "message": {...}};
//   - 401 {"status": "error", "message": "You must be logged in to do
//     this."} for missing or wrong credentials;
//   - 400 {"success": false, "error": "[invalid-channel]", "errorType":
//     "invalid-channel"} for a channel that does not exist, and 400
//     error-message-size-exceeded over 5,000 characters (the server's
//     default Message_MaxAllowedSize);
//   - 429 with X-RateLimit-Limit, -Remaining and -Reset and
//     {"success": false, "error": "Error, too many requests. Please slow
//     down. You must wait N seconds before trying this endpoint again.
//     [error-too-many-requests]"} when rate-limited;
//   - 500 {"success": false, "error": "Internal server error"} (the API's
//     internalError);
//   - 502 with an HTML page, as a proxy in front of a stopped server
//     answers.
//
// It has one user (UserID, Token), who may post in #general and to @me.
type RocketChat struct {
	*httptest.Server
	UserID, Token string

	mu       sync.Mutex
	messages []RocketChatMessage
	limited  int // the next this many posts are rate-limited
	down     int // the next this many posts meet a 502 from a proxy
	failing  int // the next this many posts answer 500
}

// NewRocketChat starts a server.
func NewRocketChat() *RocketChat {
	s := &RocketChat{UserID: "aobEdbYhXfu5hkeqG", Token: "9HqLlyZOugoStsXCUfD_0YdwnNnunAJF8V47U3QHXSq"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/chat.postMessage", s.post)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 404, map[string]any{"success": false, "error": "Not found"})
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Messages returns the messages posted so far.
func (s *RocketChat) Messages() []RocketChatMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Limit rate-limits the next n posts.
func (s *RocketChat) Limit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = n
}

// Fail makes the next n posts answer the API's 500.
func (s *RocketChat) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = n
}

// Down makes the next n posts meet a proxy's 502.
func (s *RocketChat) Down(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = n
}

func (s *RocketChat) post(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if next(&s.down) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return
	}
	if next(&s.failing) {
		reply(w, 500, map[string]any{"success": false, "error": "Internal server error"})
		return
	}
	if r.Header.Get("X-User-Id") != s.UserID || r.Header.Get("X-Auth-Token") != s.Token {
		reply(w, 401, map[string]any{"status": "error", "message": "You must be logged in to do this."})
		return
	}
	if next(&s.limited) {
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(12*time.Second).UnixMilli(), 10))
		reply(w, 429, map[string]any{"success": false, "error": "Error, too many requests. Please slow down. You must wait 12 seconds before trying this endpoint again. [error-too-many-requests]", "errorType": "error-too-many-requests"})
		return
	}
	var m RocketChatMessage
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil || m.Text == "" {
		reply(w, 400, map[string]any{"success": false, "error": "Match error: Expected a JSON body with text", "errorType": "error-invalid-params"})
		return
	}
	if n := len([]rune(m.Text)); n > 5000 {
		reply(w, 400, map[string]any{"success": false, "error": "Message size exceeds the allowed limit of 5000 characters [error-message-size-exceeded]", "errorType": "error-message-size-exceeded"})
		return
	}
	if m.Channel != "#general" && m.Channel != "@me" {
		reply(w, 400, map[string]any{"success": false, "error": "[invalid-channel]", "errorType": "invalid-channel"})
		return
	}
	s.messages = append(s.messages, m)
	reply(w, 200, map[string]any{"ts": time.Now().UnixMilli(), "channel": m.Channel, "success": true,
		"message": map[string]any{"_id": "m" + strconv.Itoa(len(s.messages)), "rid": "GENERAL", "msg": m.Text, "u": map[string]string{"_id": s.UserID, "username": "rekindle"}}})
}
