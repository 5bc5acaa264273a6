package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
)

// Mattermost speaks the part of Mattermost's API v4 that posting needs:
// POST /api/v4/users/login (the session token in the Token header), POST
// /api/v4/posts (201 with the post), and the server's error documents
// {"id", "message", "status_code"}: 401 for a bad login or session, 403
// for a channel the user is not in, 429 (with X-Ratelimit-Reset) when
// rate-limited. It also has one incoming webhook, POST /hooks/{HookKey}
// with JSON {"text"}: 200 "ok", or 400 for an unknown key ("Invalid
// webhook.") or no text ("No text specified.").
//
// A bot token (BotToken) and a login (LoginID, Password) are accepted;
// the user is in one channel (Channel, by its id).
type Mattermost struct {
	*httptest.Server
	Channel, BotToken, LoginID, Password string
	HookKey                              string

	mu        sync.Mutex
	posts     []map[string]string
	limited   bool
	sessionTk string
}

// NewMattermost starts a server.
func NewMattermost() *Mattermost {
	s := &Mattermost{Channel: "ch1", BotToken: "bot-token-123", LoginID: "me", Password: "pw-456", HookKey: "xhq5t3nb8f8kzrj9h6dmcyqe1o", sessionTk: "session-789"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/{key}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("key") != s.HookKey {
			mattermostError(w, 400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
			return
		}
		var in struct{ Text string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Text == "" {
			mattermostError(w, 400, "web.incoming_webhook.text.app_error", "No text specified.")
			return
		}
		s.mu.Lock()
		s.posts = append(s.posts, map[string]string{"channel_id": s.Channel, "message": in.Text, "via": "hook"})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("POST /api/v4/users/login", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		if in["login_id"] != s.LoginID || in["password"] != s.Password {
			mattermostError(w, 401, "api.user.login.invalid_credentials_email_username", "Enter a valid email or username and/or password.")
			return
		}
		w.Header().Set("Token", s.sessionTk)
		reply(w, 200, map[string]string{"id": "u1", "username": "me"})
	})
	mux.HandleFunc("POST /api/v4/posts", func(w http.ResponseWriter, r *http.Request) {
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if auth != s.BotToken && auth != s.sessionTk {
			mattermostError(w, 401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.limited {
			w.Header().Set("X-Ratelimit-Reset", "1")
			mattermostError(w, 429, "api.context.rate_limit", "limit exceeded")
			return
		}
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		if in["channel_id"] != s.Channel {
			mattermostError(w, 403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
			return
		}
		s.posts = append(s.posts, in)
		reply(w, http.StatusCreated, map[string]string{"id": "p1", "channel_id": in["channel_id"], "message": in["message"]})
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Posts returns the posts received, each as its JSON fields.
func (s *Mattermost) Posts() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// Limit turns the rate limit on or off.
func (s *Mattermost) Limit(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = on
}

func mattermostError(w http.ResponseWriter, status int, id, msg string) {
	reply(w, status, map[string]any{"id": id, "message": msg, "detailed_error": "", "request_id": "r1", "status_code": status})
}
