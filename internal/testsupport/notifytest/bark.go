package notifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// Bark speaks bark-server's push API: POST /push with JSON {device_key,
// title, body, ...}; {"code": 200, "message": "success"} or its errors
// {"code": 400, "message": "failed to get device token: ..."} for an
// unknown device, and 500 when Apple's push service fails. It knows one
// device (DeviceKey).
type Bark struct {
	*httptest.Server
	DeviceKey string

	mu     sync.Mutex
	pushes []map[string]any
	fail   int
}

// NewBark starts a server.
func NewBark() *Bark {
	s := &Bark{DeviceKey: "bark-device-key-1"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Pushes returns the pushes taken, each as its JSON fields.
func (s *Bark) Pushes() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pushes)
}

// Fail makes the next n pushes fail at Apple's end (500).
func (s *Bark) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

func (s *Bark) handle(w http.ResponseWriter, r *http.Request) {
	answer := func(code int, msg string) {
		reply(w, code, map[string]any{"code": code, "message": msg, "timestamp": time.Now().Unix()})
	}
	if r.URL.Path != "/push" || r.Method != http.MethodPost {
		answer(404, "not found")
		return
	}
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if next(&s.fail) {
		answer(500, "push failed: APNs unavailable")
		return
	}
	if in["device_key"] != s.DeviceKey {
		answer(400, fmt.Sprintf("failed to get device token: failed to get [%v] device token from database", in["device_key"]))
		return
	}
	s.pushes = append(s.pushes, in)
	answer(200, "success")
}
