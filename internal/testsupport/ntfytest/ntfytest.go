// Package ntfytest is an ntfy server for tests, written from ntfy's
// published API (docs.ntfy.sh: publishing as JSON, access tokens, rate
// limits and error responses) and checked against its server code: JSON
// publishing to the server root, Bearer and Basic auth with per-topic write
// access, the topic names it keeps for itself, ntfy's 4,096-byte message
// limit, its JSON error bodies and codes, a request rate limit, and
// injected 5xx.
//
// It answers in the real server's order: a login that fails is 401 before
// anything else is looked at; then the body, the topic's form, a reserved
// topic (400, code 40010), the rate limit, and the right to publish, which
// a closed server refuses with 403 (code 40301) alike to a login without
// access and to a publisher with no credentials at all.
package ntfytest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Message is a published message as the server received it.
type Message struct {
	Topic    string   `json:"topic"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Priority int      `json:"priority"`
	Tags     []string `json:"tags"`
	Click    string   `json:"click"`
	Markdown bool     `json:"markdown"`
	Actions  []Action `json:"actions"`
	// SequenceID (ntfy 2.16+): a message with the sequence id of an earlier
	// one updates that notification instead of showing a new one.
	SequenceID string `json:"sequence_id,omitempty"`

	Auth string `json:"-"` // "bearer:TOKEN", "basic:USER" or ""
}

// Action is an action button.
type Action struct {
	Action  string            `json:"action"`
	Label   string            `json:"label"`
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Clear   bool              `json:"clear"`
}

// Server is a running test server.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	received []Message
	requests int
	tokens   map[string][]string // token -> writable topics
	users    map[string]user
	limit    int // requests per window; 0: none
	window   time.Time
	inWindow int
	fail     []failure
	hold     int
	holding  int
	release  chan struct{}
	// acceptHold: hold requests after accepting them, as a server whose
	// answer is lost would.
	acceptHold int
}

type user struct {
	password string
	topics   []string
}

type failure struct {
	status     int
	retryAfter string
}

// New starts a server that needs no login (as ntfy.sh for public topics).
func New() *Server {
	s := &Server{tokens: map[string][]string{}, users: map[string]user{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// RequireToken makes the server require a login, and lets token write to
// topics.
func (s *Server) RequireToken(token string, topics ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = topics
}

// RequireUser makes the server require a login, and lets name with
// password write to topics.
func (s *Server) RequireUser(name, password string, topics ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = user{password, topics}
}

// RateLimit allows n requests a minute; more get 429.
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
}

// FailNext makes the next n requests fail with status (and a Retry-After
// header when retryAfter is not "").
func (s *Server) FailNext(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.fail = append(s.fail, failure{status, retryAfter})
	}
}

// Hold makes the next n requests wait, unanswered, until Release; a client
// that goes away meanwhile has had nothing accepted.
func (s *Server) Hold(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = n
	s.release = make(chan struct{})
}

// Release lets held requests go on.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		close(s.release)
		s.release = nil
	}
}

// Holding reports how many requests are waiting.
func (s *Server) Holding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holding
}

// AcceptThenHold makes the next n requests be accepted (recorded) and then
// held unanswered until Release: the client, if it goes away, never learns
// that the server has its message.
func (s *Server) AcceptThenHold(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptHold = n
	s.release = make(chan struct{})
}

// Notifications returns what a subscribed phone shows: the accepted
// messages, a message with an earlier one's sequence id replacing it.
func (s *Server) Notifications() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	at := map[string]int{}
	for _, m := range s.received {
		if i, ok := at[m.SequenceID]; ok && m.SequenceID != "" {
			out[i] = m
			continue
		}
		if m.SequenceID != "" {
			at[m.SequenceID] = len(out)
		}
		out = append(out, m)
	}
	return out
}

// Received returns the messages the server accepted, in order.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Requests counts every request, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

var topicRE = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)

// ReservedTopics are the names an ntfy server refuses as topics (the list
// it ships with, matched exactly), with 400 and code 40010.
var ReservedTopics = []string{"docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1"}

// MessageLimit is ntfy's default message size limit, in bytes.
const MessageLimit = 4096

// apiError is an ntfy error answer: its JSON body is {"code", "http",
// "error", "link"}, the link left out where ntfy has none.
type apiError struct {
	Code int    `json:"code"`
	HTTP int    `json:"http"`
	Msg  string `json:"error"`
	Link string `json:"link,omitempty"`
}

// The errors the server answers with, as ntfy words and numbers them.
var (
	errJSONInvalid     = apiError{40024, http.StatusBadRequest, "invalid request: request body must be valid JSON", ""}
	errPriority        = apiError{40007, http.StatusBadRequest, "invalid priority parameter", "https://ntfy.sh/docs/publish/#message-priority"}
	errTopicInvalid    = apiError{40009, http.StatusBadRequest, "invalid request: topic invalid", ""}
	errTopicReserved   = apiError{40010, http.StatusBadRequest, "invalid request: topic name is not allowed", ""}
	errActions         = apiError{40018, http.StatusBadRequest, "invalid request: actions invalid", "https://ntfy.sh/docs/publish/#action-buttons"}
	errUnauthorized    = apiError{40101, http.StatusUnauthorized, "unauthorized", "https://ntfy.sh/docs/publish/#authentication"}
	errForbidden       = apiError{40301, http.StatusForbidden, "forbidden", "https://ntfy.sh/docs/publish/#authentication"}
	errNotFound        = apiError{40401, http.StatusNotFound, "page not found", ""}
	errTooLarge        = apiError{41301, http.StatusRequestEntityTooLarge, "attachment too large, or bandwidth limit reached", "https://ntfy.sh/docs/publish/#limitations"}
	errTooManyRequests = apiError{42901, http.StatusTooManyRequests, "limit reached: too many requests", "https://ntfy.sh/docs/publish/#limitations"}
)

func writeError(w http.ResponseWriter, e apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.HTTP)
	json.NewEncoder(w).Encode(e)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	// Read the body first: net/http notices a client that goes away only
	// once the body has been read.
	body, readErr := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	s.mu.Lock()
	if s.hold > 0 && s.release != nil {
		s.hold--
		if s.wait(r) {
			s.requests++
			s.mu.Unlock()
			return // the client is gone: nothing accepted
		}
	}
	defer s.mu.Unlock()
	s.requests++
	if len(s.fail) > 0 {
		f := s.fail[0]
		s.fail = s.fail[1:]
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		if f.status == http.StatusTooManyRequests {
			writeError(w, errTooManyRequests)
			return
		}
		writeError(w, apiError{f.status*100 + 1, f.status, strings.ToLower(http.StatusText(f.status)), ""})
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut || r.URL.Path != "/" {
		writeError(w, errNotFound)
		return
	}
	auth, known := s.login(r)
	if !known {
		writeError(w, errUnauthorized)
		return
	}
	var m Message
	if readErr != nil || json.Unmarshal(body, &m) != nil {
		writeError(w, errJSONInvalid)
		return
	}
	if !topicRE.MatchString(m.Topic) {
		writeError(w, errTopicInvalid)
		return
	}
	if slices.Contains(ReservedTopics, m.Topic) {
		writeError(w, errTopicReserved)
		return
	}
	if s.limit > 0 {
		now := time.Now()
		if now.Sub(s.window) > time.Minute {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		if s.inWindow > s.limit {
			writeError(w, errTooManyRequests)
			return
		}
	}
	if !s.mayWrite(auth, m.Topic) {
		writeError(w, errForbidden)
		return
	}
	m.Auth = auth
	switch {
	case m.Priority < 0 || m.Priority > 5:
		writeError(w, errPriority)
		return
	case len(m.Actions) > 3:
		writeError(w, errActions)
		return
	case len(m.Message) > MessageLimit:
		writeError(w, errTooLarge)
		return
	}
	for _, a := range m.Actions {
		if (a.Action != "http" && a.Action != "view" && a.Action != "broadcast") || a.Label == "" {
			writeError(w, errActions)
			return
		}
	}
	s.received = append(s.received, m)
	if s.acceptHold > 0 && s.release != nil {
		s.acceptHold--
		if s.wait(r) {
			return // accepted, but the client never hears of it
		}
	}
	id := make([]byte, 6)
	rand.Read(id)
	now := time.Now().Unix()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": hex.EncodeToString(id), "time": now, "expires": now + 43200, "event": "message",
		"topic": m.Topic, "title": m.Title, "message": m.Message, "priority": m.Priority, "tags": m.Tags, "click": m.Click,
	})
}

// wait holds a request until Release or until its client goes away, which
// it reports. The caller holds s.mu, which wait lets go of meanwhile.
func (s *Server) wait(r *http.Request) (gone bool) {
	s.holding++
	release := s.release
	s.mu.Unlock()
	select {
	case <-release:
	case <-r.Context().Done():
	}
	s.mu.Lock()
	s.holding--
	return r.Context().Err() != nil
}

// login reads the Authorization header: auth names who logged in ("" for
// nobody), known is false for a login the server does not know.
func (s *Server) login(r *http.Request) (auth string, known bool) {
	h := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(h, "Bearer "):
		token := strings.TrimPrefix(h, "Bearer ")
		if _, ok := s.tokens[token]; !ok {
			return "", false
		}
		return "bearer:" + token, true
	case strings.HasPrefix(h, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		name, pass, _ := strings.Cut(string(raw), ":")
		u, ok := s.users[name]
		if err != nil || !ok || u.password != pass {
			return "", false
		}
		return "basic:" + name, true
	}
	return "", true // no login, or a kind ntfy ignores
}

// mayWrite says whether auth (from login) may publish to topic: anyone on
// an open server, only a login with access on a closed one.
func (s *Server) mayWrite(auth, topic string) bool {
	switch {
	case strings.HasPrefix(auth, "bearer:"):
		return contains(s.tokens[strings.TrimPrefix(auth, "bearer:")], topic)
	case strings.HasPrefix(auth, "basic:"):
		return contains(s.users[strings.TrimPrefix(auth, "basic:")].topics, topic)
	}
	return len(s.tokens) == 0 && len(s.users) == 0
}

func contains(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// String describes the server for test logs.
func (s *Server) String() string { return fmt.Sprintf("ntfytest at %s", s.URL) }
