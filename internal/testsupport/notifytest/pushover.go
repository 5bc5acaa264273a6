package notifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
)

// Pushover speaks Pushover's messages API: POST /1/messages.json,
// form-encoded; {"status": 1, "request"} with the X-Limit-App headers, or
// {"status": 0, "errors": [...], "token"/"user": "invalid"} with 400, 429
// when the application's monthly limit is reached, and a 500 page. It
// knows one application (App) and one user (User). gregdel/pushover's API
// base is a package variable: Endpoint is the value for APIEndpoint.
type Pushover struct {
	*httptest.Server
	App, User string

	mu       sync.Mutex
	got      []url.Values
	answer   []int // statuses to answer first
	hangOnce bool
	release  chan struct{}
}

// NewPushover starts a server.
func NewPushover() *Pushover {
	s := &Pushover{App: "azGDORePK8gMaC0QOYAMyEEuzJnyUi", User: "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Endpoint is gregdel/pushover's APIEndpoint for this server.
func (s *Pushover) Endpoint() string { return s.URL + "/1" }

// Close lets a hanging request go, then stops the server.
func (s *Pushover) Close() {
	s.mu.Lock()
	select {
	case <-s.release:
	default:
		close(s.release)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// Got returns the messages taken, as their forms.
func (s *Pushover) Got() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// Answer makes the next requests answer these statuses (429: the monthly
// limit; 500: a server error), one each.
func (s *Pushover) Answer(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = statuses
}

// HangOnce makes the next request never answered (until Close).
func (s *Pushover) HangOnce() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangOnce = true
}

func (s *Pushover) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/1/messages.json" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	r.ParseForm()
	s.mu.Lock()
	hang := s.hangOnce
	s.hangOnce = false
	status := http.StatusOK
	if len(s.answer) > 0 {
		status, s.answer = s.answer[0], s.answer[1:]
	}
	s.mu.Unlock()
	if hang {
		<-s.release
		return
	}
	w.Header().Set("X-Limit-App-Limit", "10000")
	w.Header().Set("X-Limit-App-Remaining", "9999")
	w.Header().Set("X-Limit-App-Reset", "1798761600")
	fail := func(status int, doc map[string]any) {
		doc["status"], doc["request"] = 0, "5042853c-402d-4a18-abcb-168734a801de"
		reply(w, status, doc)
	}
	switch {
	case status == http.StatusInternalServerError:
		w.WriteHeader(500)
		fmt.Fprint(w, "<html>internal error</html>")
	case status == http.StatusTooManyRequests:
		fail(429, map[string]any{"errors": []string{"application has reached its monthly message limit"}})
	case r.Form.Get("token") != s.App:
		fail(400, map[string]any{"token": "invalid", "errors": []string{"application token is invalid"}})
	case r.Form.Get("user") != s.User:
		fail(400, map[string]any{"user": "invalid", "errors": []string{"user identifier is not a valid user, group, or subscribed user key"}})
	default:
		s.mu.Lock()
		s.got = append(s.got, r.Form)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b"})
	}
}
