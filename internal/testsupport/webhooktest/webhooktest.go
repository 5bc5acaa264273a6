// Package webhooktest is a Slack incoming-webhook server for tests, written
// from Slack's published webhook API: a POST of JSON with text and/or
// blocks to a secret URL; success is 200 with the body "ok"; errors are
// plain-text codes with 400 (invalid_payload, no_text), 403
// (action_prohibited), 404 (no_service), 410 (channel_is_archived), and 429
// with Retry-After when rate limited.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
)

// Payload is a webhook message as received.
type Payload struct {
	Text        string            `json:"text"`
	Blocks      []json.RawMessage `json:"blocks"`
	UnfurlLinks *bool             `json:"unfurl_links"`
	UnfurlMedia *bool             `json:"unfurl_media"`
}

// Server is a running webhook server. Its valid webhook URL is URL + Path.
type Server struct {
	*httptest.Server
	Path string

	mu       sync.Mutex
	received []Payload
	raw      [][]byte
	requests int
	archived bool
	fail     []failure
}

type failure struct {
	status int
	body   string
	after  int
}

// New starts a server with one valid webhook.
func New() *Server {
	s := &Server{Path: "/services/T0001/B0001/abcdefghijklmnopqrstuvwx"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// WebhookURL is the valid webhook's URL.
func (s *Server) WebhookURL() string { return s.URL + s.Path }

// Archive makes the webhook's channel archived: 410 from now on.
func (s *Server) Archive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.archived = true
}

// FailNext makes the next n requests fail with status and body; a 429
// carries Retry-After: retryAfter seconds.
func (s *Server) FailNext(n, status int, body string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.fail = append(s.fail, failure{status, body, retryAfter})
	}
}

// Received returns the accepted payloads.
func (s *Server) Received() []Payload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Payload(nil), s.received...)
}

// Raw returns the accepted request bodies.
func (s *Server) Raw() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// Requests counts every request.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.fail) > 0 {
		f := s.fail[0]
		s.fail = s.fail[1:]
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.after))
		}
		reply(w, f.status, f.body)
		return
	}
	if r.URL.Path != s.Path {
		reply(w, http.StatusNotFound, "no_service")
		return
	}
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, "invalid_method")
		return
	}
	if s.archived {
		reply(w, http.StatusGone, "channel_is_archived")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var p Payload
	if err != nil || json.Unmarshal(body, &p) != nil {
		reply(w, http.StatusBadRequest, "invalid_payload")
		return
	}
	if p.Text == "" && len(p.Blocks) == 0 {
		reply(w, http.StatusBadRequest, "no_text")
		return
	}
	for _, b := range p.Blocks {
		var blk struct {
			Type string `json:"type"`
			Text *struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		}
		if json.Unmarshal(b, &blk) != nil || blk.Type == "" {
			reply(w, http.StatusBadRequest, "invalid_blocks")
			return
		}
		if blk.Type == "header" && (blk.Text == nil || blk.Text.Type != "plain_text" || len([]rune(blk.Text.Text)) > 150) {
			reply(w, http.StatusBadRequest, "invalid_blocks")
			return
		}
		if blk.Type == "section" && blk.Text != nil && len([]rune(blk.Text.Text)) > 3000 {
			reply(w, http.StatusBadRequest, "invalid_blocks")
			return
		}
	}
	s.received = append(s.received, p)
	s.raw = append(s.raw, body)
	reply(w, http.StatusOK, "ok")
}
