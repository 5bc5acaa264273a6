// Package matrixtest is a Matrix homeserver for tests, written from the
// client-server API (v3) as far as sending a message needs it:
//
//   - PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}: 200
//     with {"event_id": ...}; a transaction id already used by the same
//     token gets the same event id back and sends nothing (the API's
//     idempotency);
//   - GET /_matrix/client/v3/account/whoami and
//     GET /_matrix/client/v3/joined_rooms;
//   - the access token as "Authorization: Bearer" or ?access_token=;
//   - error documents {"errcode", "error"}: 401 M_MISSING_TOKEN and
//     M_UNKNOWN_TOKEN (with soft_logout), 403 M_FORBIDDEN for a room the
//     user is not in, 400 M_NOT_JSON and M_BAD_JSON, 413 M_TOO_LARGE over
//     65,536 bytes, 429 M_LIMIT_EXCEEDED with retry_after_ms and
//     Retry-After, and 404 M_UNRECOGNIZED for any other endpoint.
package matrixtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Message is an m.room.message event as received.
type Message struct {
	Room, TxnID string
	MsgType     string `json:"msgtype"`
	Body        string `json:"body"`
}

// Server is a running homeserver with one account (User, Token) that is
// in one room (Room).
type Server struct {
	*httptest.Server
	User, Token, Room string

	mu       sync.Mutex
	messages []Message
	txns     map[string]string
	limited  int // the next this many sends are rate-limited
	failing  int // the next this many sends answer 500
}

// New starts a homeserver.
func New() *Server {
	s := &Server{User: "@rekindle:example.org", Token: "syt_cmVraW5kbGU_secret_0123", Room: "!kXvTqWmZ:example.org", txns: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /_matrix/client/v3/rooms/{room}/send/{type}/{txn}", s.authed(s.send))
	mux.HandleFunc("GET /_matrix/client/v3/account/whoami", s.authed(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"user_id": s.User, "device_id": "REKINDLE", "is_guest": false})
	}))
	mux.HandleFunc("GET /_matrix/client/v3/joined_rooms", s.authed(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"joined_rooms": []string{s.Room}})
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, 404, "M_UNRECOGNIZED", "Unrecognized request")
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Messages returns the messages sent so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Limit rate-limits the next n sends.
func (s *Server) Limit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = n
}

// Fail makes the next n sends answer 500.
func (s *Server) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = n
}

func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			token = r.URL.Query().Get("access_token")
		}
		switch token {
		case "":
			fail(w, 401, "M_MISSING_TOKEN", "Missing access token")
		case s.Token:
			h(w, r)
		default:
			reply(w, 401, map[string]any{"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed.", "soft_logout": false})
		}
	}
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	room, typ, txn := r.PathValue("room"), r.PathValue("type"), r.PathValue("txn")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing > 0 {
		s.failing--
		fail(w, 500, "M_UNKNOWN", "Internal server error")
		return
	}
	if room != s.Room {
		fail(w, 403, "M_FORBIDDEN", fmt.Sprintf("User %s not in room %s", s.User, room))
		return
	}
	if s.limited > 0 {
		s.limited--
		w.Header().Set("Retry-After", "3")
		reply(w, 429, map[string]any{"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 2500})
		return
	}
	if len(body) > 65536 {
		fail(w, 413, "M_TOO_LARGE", "event too large")
		return
	}
	var m Message
	if !json.Valid(body) {
		fail(w, 400, "M_NOT_JSON", "Content not JSON.")
		return
	}
	if err := json.Unmarshal(body, &m); err != nil || typ == "m.room.message" && (m.MsgType == "" || m.Body == "") {
		fail(w, 400, "M_BAD_JSON", "m.room.message needs msgtype and body strings")
		return
	}
	if ev, ok := s.txns[txn]; ok {
		reply(w, 200, map[string]any{"event_id": ev})
		return
	}
	m.Room, m.TxnID = room, txn
	s.messages = append(s.messages, m)
	ev := "$event" + strconv.Itoa(len(s.messages))
	s.txns[txn] = ev
	reply(w, 200, map[string]any{"event_id": ev})
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	reply(w, status, map[string]any{"errcode": code, "error": msg})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
