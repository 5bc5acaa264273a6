package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gregdel/pushover"
)

const (
	pushoverApp  = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
	pushoverUser = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
)

// pushoverServer speaks Pushover's messages API: POST /1/messages.json,
// form-encoded; {"status": 1, "request"} with the X-Limit-App headers, or
// {"status": 0, "errors": [...], "token"/"user": "invalid"} with 400, 429
// when the application's monthly limit is reached, and a 500 page.
type pushoverServer struct {
	*httptest.Server
	mu       sync.Mutex
	got      []url.Values
	answer   []int // statuses to answer first
	hangOnce bool
}

func newPushoverServer(t *testing.T) *pushoverServer {
	s := &pushoverServer{}
	release := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			<-release // a server that never answers
			return
		}
		w.Header().Set("X-Limit-App-Limit", "10000")
		w.Header().Set("X-Limit-App-Remaining", "9999")
		w.Header().Set("X-Limit-App-Reset", "1798761600")
		w.Header().Set("Content-Type", "application/json")
		fail := func(status int, doc map[string]any) {
			doc["status"], doc["request"] = 0, "5042853c-402d-4a18-abcb-168734a801de"
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(doc)
		}
		switch {
		case status == http.StatusInternalServerError:
			w.WriteHeader(500)
			fmt.Fprint(w, "<html>internal error</html>")
		case status == http.StatusTooManyRequests:
			fail(429, map[string]any{"errors": []string{"application has reached its monthly message limit"}})
		case r.Form.Get("token") != pushoverApp:
			fail(400, map[string]any{"token": "invalid", "errors": []string{"application token is invalid"}})
		case r.Form.Get("user") != pushoverUser:
			fail(400, map[string]any{"user": "invalid", "errors": []string{"user identifier is not a valid user, group, or subscribed user key"}})
		default:
			s.mu.Lock()
			s.got = append(s.got, r.Form)
			s.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b"})
		}
	}))
	t.Cleanup(s.Close)
	// Cleanups run last first: the hanging handler is let go before the
	// server waits for it to end.
	t.Cleanup(func() { close(release) })
	return s
}

func TestPushover(t *testing.T) {
	srv := newPushoverServer(t)
	// The seam: gregdel/pushover's API base is a package variable.
	saved := pushover.APIEndpoint
	pushover.APIEndpoint = srv.URL + "/1"
	t.Cleanup(func() { pushover.APIEndpoint = saved })
	ctx := context.Background()
	cfg := func(token, user string) string {
		return fmt.Sprintf("[channels.po]\ntype = \"pushover\"\ntoken = %q\nuser = %q\n", token, user)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg(pushoverApp, pushoverUser), Options{Timeout: time.Second})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.got[0]
	if got.Get("title") != msg.Title || !strings.Contains(got.Get("message"), "It has been 41 days & counting.") ||
		!strings.Contains(got.Get("message"), "Open Alice in rekindle: https://r.example.org/people/alice?t=1.x") {
		t.Errorf("form %v", got)
	}
	long := sample
	long.Lead = strings.Repeat("long ", 400)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}

	e := failure(t, channel(t, cfg(pushoverApp, strings.Repeat("x", 30)), Options{}).Deliver(ctx, msg), false, "user identifier is not a valid user")
	if !strings.Contains(e.Hint, "user key") {
		t.Errorf("hint %q", e.Hint)
	}
	e = failure(t, channel(t, cfg(strings.Repeat("y", 30), pushoverUser), Options{}).Deliver(ctx, msg), false, "application token is invalid")
	if !strings.Contains(e.Hint, "token") || strings.Contains(e.Error()+fmt.Sprint(e.Err), strings.Repeat("y", 30)) {
		t.Errorf("bad token: %v (hint %q)", e, e.Hint)
	}
	srv.answer = []int{429, 500}
	failure(t, ch.Deliver(ctx, msg), true, "monthly message limit")
	failure(t, ch.Deliver(ctx, msg), true, "server error")
	// A server that never answers: the channel's timeout ends the wait.
	srv.hangOnce = true
	began := time.Now()
	failure(t, ch.Deliver(ctx, msg), true, "no answer within the timeout")
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the send waited %v", took)
	}
}
