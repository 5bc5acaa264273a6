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
)

// mattermostServer speaks the part of Mattermost's API v4 that posting
// needs: POST /api/v4/users/login (the session token in the Token
// header), POST /api/v4/posts (201 with the post), and the server's error
// documents: 401 for a bad login or session, 403 for a channel the user is
// not in, 429 when rate-limited.
type mattermostServer struct {
	*httptest.Server
	mu        sync.Mutex
	posts     []map[string]string
	limited   bool
	channel   string
	botToken  string
	loginID   string
	password  string
	sessionTk string
}

func mmError(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "message": msg, "detailed_error": "", "request_id": "r1", "status_code": status})
}

func newMattermostServer(t *testing.T) *mattermostServer {
	s := &mattermostServer{channel: "ch1", botToken: "bot-token-123", loginID: "me", password: "pw-456", sessionTk: "session-789"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v4/users/login", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		if in["login_id"] != s.loginID || in["password"] != s.password {
			mmError(w, 401, "api.user.login.invalid_credentials_email_username", "Enter a valid email or username and/or password.")
			return
		}
		w.Header().Set("Token", s.sessionTk)
		json.NewEncoder(w).Encode(map[string]string{"id": "u1", "username": "me"})
	})
	mux.HandleFunc("POST /api/v4/posts", func(w http.ResponseWriter, r *http.Request) {
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if auth != s.botToken && auth != s.sessionTk {
			mmError(w, 401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
			return
		}
		s.mu.Lock()
		limited := s.limited
		s.mu.Unlock()
		if limited {
			w.Header().Set("X-Ratelimit-Reset", "1")
			mmError(w, 429, "api.context.rate_limit", "limit exceeded")
			return
		}
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		if in["channel_id"] != s.channel {
			mmError(w, 403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
			return
		}
		s.mu.Lock()
		s.posts = append(s.posts, in)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"id": "p1", "channel_id": in["channel_id"], "message": in["message"]})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestMattermost(t *testing.T) {
	srv := newMattermostServer(t)
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
	if len(srv.posts) != 2 {
		t.Fatalf("%d posts", len(srv.posts))
	}
	p := srv.posts[0]["message"]
	for _, want := range []string{"**Time to catch up with Alice**\n", "It has been 41 days & counting.", "**Something to send**", "[Open Alice in rekindle](https://r.example.org/people/alice?t=1.x)"} {
		if !strings.Contains(p, want) {
			t.Errorf("the post lacks %q:\n%s", want, p)
		}
	}

	// The server's refusals, classified, with hints, and no secret shown.
	bad := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\ntoken = \"wrong-token\"\n", srv.URL), Options{})
	e := failure(t, bad.Deliver(ctx, msg), false, "server answered 401 Unauthorized: Invalid or expired session")
	if !strings.Contains(e.Hint, "token") || strings.Contains(e.Error(), "wrong-token") {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint)
	}
	badLogin := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"ch1\"\nlogin_id = \"me\"\npassword = \"not-it\"\n", srv.URL), Options{})
	e = failure(t, badLogin.Deliver(ctx, msg), false, "server answered 401 Unauthorized: Enter a valid email or username")
	if !strings.Contains(e.Hint, "login_id and password") || strings.Contains(e.Error(), "not-it") || strings.Contains(fmt.Sprint(e.Err), "not-it") {
		t.Errorf("bad login: %v (hint %q)", e, e.Hint)
	}
	other := channel(t, fmt.Sprintf("[channels.mm]\ntype = \"mattermost\"\nurl = %q\nchannel = \"town-square\"\ntoken = \"bot-token-123\"\n", srv.URL), Options{})
	e = failure(t, other.Deliver(ctx, msg), false, "server answered 403 Forbidden: You do not have the appropriate permissions.")
	if !strings.Contains(e.Hint, "channel") {
		t.Errorf("hint %q", e.Hint)
	}
	srv.mu.Lock()
	srv.limited = true
	srv.mu.Unlock()
	failure(t, withToken.Deliver(ctx, msg), true, "server answered 429 Too Many Requests: limit exceeded")
	srv.Close()
	failure(t, withToken.Deliver(ctx, msg), true, "")
}
