package notifytest

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

// MatrixMessage is an m.room.message event as received.
type MatrixMessage struct {
	Room, TxnID string
	MsgType     string `json:"msgtype"`
	Body        string `json:"body"`
}

// Matrix is a homeserver, written from the Matrix client-server API (v3)
// as far as sending a message needs it:
//
//   - PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}: 200
//     with {"event_id": ...}; a transaction id already used gets the same
//     event id back and sends nothing (the API's idempotency);
//   - GET /_matrix/client/v3/account/whoami and
//     GET /_matrix/client/v3/joined_rooms;
//   - the access token as "Authorization: Bearer" or ?access_token=;
//   - error documents {"errcode", "error"}: 401 M_MISSING_TOKEN and
//     M_UNKNOWN_TOKEN (with soft_logout), 403 M_FORBIDDEN for a room the
//     user is not in, 400 M_NOT_JSON and M_BAD_JSON, 413 M_TOO_LARGE over
//     65,536 bytes, 429 M_LIMIT_EXCEEDED with retry_after_ms and
//     Retry-After, 500 M_UNKNOWN, and 404 M_UNRECOGNIZED for any other
//     endpoint.
//
// It has one account (User, Token), which is in one room (Room).
type Matrix struct {
	*httptest.Server
	User, Token, Room string

	mu       sync.Mutex
	messages []MatrixMessage
	txns     map[string]string
	limited  int // the next this many sends are rate-limited
	failing  int // the next this many sends answer 500
}

// NewMatrix starts a homeserver.
func NewMatrix() *Matrix {
	s := &Matrix{User: "@rekindle:example.org", Token: "syt_cmVraW5kbGU_secret_0123", Room: "!kXvTqWmZ:example.org", txns: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /_matrix/client/v3/rooms/{room}/send/{type}/{txn}", s.authed(s.send))
	mux.HandleFunc("GET /_matrix/client/v3/account/whoami", s.authed(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"user_id": s.User, "device_id": "REKINDLE", "is_guest": false})
	}))
	mux.HandleFunc("GET /_matrix/client/v3/joined_rooms", s.authed(func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"joined_rooms": []string{s.Room}})
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		matrixError(w, 404, "M_UNRECOGNIZED", "Unrecognized request")
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Messages returns the messages sent so far.
func (s *Matrix) Messages() []MatrixMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Limit rate-limits the next n sends.
func (s *Matrix) Limit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = n
}

// Fail makes the next n sends answer 500.
func (s *Matrix) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = n
}

func (s *Matrix) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			token = r.URL.Query().Get("access_token")
		}
		switch token {
		case "":
			matrixError(w, 401, "M_MISSING_TOKEN", "Missing access token")
		case s.Token:
			h(w, r)
		default:
			reply(w, 401, map[string]any{"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed.", "soft_logout": false})
		}
	}
}

func (s *Matrix) send(w http.ResponseWriter, r *http.Request) {
	room, typ, txn := r.PathValue("room"), r.PathValue("type"), r.PathValue("txn")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if next(&s.failing) {
		matrixError(w, 500, "M_UNKNOWN", "Internal server error")
		return
	}
	if room != s.Room {
		matrixError(w, 403, "M_FORBIDDEN", fmt.Sprintf("User %s not in room %s", s.User, room))
		return
	}
	if next(&s.limited) {
		w.Header().Set("Retry-After", "3")
		reply(w, 429, map[string]any{"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 2500})
		return
	}
	if len(body) > 65536 {
		matrixError(w, 413, "M_TOO_LARGE", "event too large")
		return
	}
	if !json.Valid(body) {
		matrixError(w, 400, "M_NOT_JSON", "Content not JSON.")
		return
	}
	var m MatrixMessage
	if err := json.Unmarshal(body, &m); err != nil || typ == "m.room.message" && (m.MsgType == "" || m.Body == "") {
		matrixError(w, 400, "M_BAD_JSON", "m.room.message needs msgtype and body strings")
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

func matrixError(w http.ResponseWriter, status int, code, msg string) {
	reply(w, status, map[string]any{"errcode": code, "error": msg})
}
