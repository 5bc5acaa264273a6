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
	"time"
)

// barkServer speaks bark-server's push API: POST /push with JSON
// {device_key, title, body, ...}; {"code": 200, "message": "success"} or
// its errors {"code": 400, "message": "failed to get device token: ..."}
// and 500 when Apple's push service fails.
type barkServer struct {
	*httptest.Server
	mu     sync.Mutex
	pushes []map[string]any
	fail   int
}

func newBarkServer(t *testing.T) *barkServer {
	s := &barkServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(code int, msg string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "timestamp": time.Now().Unix()})
		}
		if r.URL.Path != "/push" || r.Method != http.MethodPost {
			reply(404, "not found")
			return
		}
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.fail > 0 {
			s.fail--
			reply(500, "push failed: APNs unavailable")
			return
		}
		if in["device_key"] != "bark-device-key-1" {
			reply(400, fmt.Sprintf("failed to get device token: failed to get [%v] device token from database", in["device_key"]))
			return
		}
		s.pushes = append(s.pushes, in)
		reply(200, "success")
	}))
	t.Cleanup(s.Close)
	return s
}

func TestBark(t *testing.T) {
	srv := newBarkServer(t)
	ctx := context.Background()
	cfg := func(key string) string {
		return fmt.Sprintf("[channels.bk]\ntype = \"bark\"\ndevice_key = %q\nserver = %q\n", key, srv.URL)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("bark-device-key-1"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	p := srv.pushes[0]
	if p["title"] != msg.Title || !strings.Contains(fmt.Sprint(p["body"]), "Open Alice in rekindle: https://r.example.org/people/alice?t=1.x") {
		t.Errorf("push %v", p)
	}
	e := failure(t, channel(t, cfg("wrong-device-key"), Options{}).Deliver(ctx, msg), false, "server answered 400 Bad Request: failed to get device token")
	if !strings.Contains(e.Hint, "device_key") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-device-key") {
		t.Errorf("bad key: %v (hint %q)", e, e.Hint)
	}
	srv.fail = 1
	failure(t, ch.Deliver(ctx, msg), true, "server answered 500 Internal Server Error: push failed")
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "bark-device-key-1") {
		t.Errorf("the key shows: %v", e)
	}
}
