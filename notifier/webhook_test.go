package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookServer is any HTTP endpoint: it records each request and answers
// with the statuses queued for it (a 429 with Retry-After as rate-limited
// APIs send it), then 200.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	answer []int
}

type hookRequest struct {
	Method, Path, Query, Type, Auth string
	Body                            []byte
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), b})
		status := http.StatusOK
		if len(h.answer) > 0 {
			status, h.answer = h.answer[0], h.answer[1:]
		}
		h.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(status)
		// Some endpoints echo the request line: with the token in it.
		fmt.Fprintf(w, `{"error": "no", "path": %q}`, r.URL.Path+"?"+r.URL.RawQuery)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) last(t *testing.T) hookRequest {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) == 0 {
		t.Fatal("the endpoint received nothing")
	}
	return h.got[len(h.got)-1]
}

func TestWebhook(t *testing.T) {
	h := newHookServer(t)
	t.Setenv("HOOK_TOKEN", "s3cr3t-header-token")
	ctx := context.Background()
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}

	// The default: notify's {"subject", "message"} as JSON, POST.
	ch := channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = \"%s/in/tok-in-path?key=tok-in-query\"\n[channels.hook.headers]\nAuthorization = \"Bearer ${HOOK_TOKEN}\"\n", h.URL), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	r := h.last(t)
	var doc map[string]string
	if json.Unmarshal(r.Body, &doc) != nil || doc["subject"] != msg.Title || !strings.Contains(doc["message"], "It has been 41 days & counting.") ||
		!strings.Contains(doc["message"], "https://r.example.org/people/alice?t=1.x") {
		t.Errorf("default body %s", r.Body)
	}
	if r.Method != "POST" || r.Path != "/in/tok-in-path" || r.Auth != "Bearer s3cr3t-header-token" || !strings.HasPrefix(r.Type, "application/json") {
		t.Errorf("request %+v", r)
	}

	// A body of its own, PUT.
	ch = channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = %q\nmethod = \"put\"\nbody = '{\"text\": {{json .Title}}, \"url\": {{json .Link}}, \"md\": {{json .Markdown}}}'\n", h.URL+"/put"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	r = h.last(t)
	if json.Unmarshal(r.Body, &doc) != nil || r.Method != "PUT" || doc["text"] != msg.Title || doc["url"] != msg.Links[0].URL || !strings.Contains(doc["md"], "**Something to send**") {
		t.Errorf("templated body %s %s", r.Method, r.Body)
	}

	// Plain text.
	ch = channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = %q\ncontent_type = \"text/plain\"\n", h.URL+"/text"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if r = h.last(t); !strings.HasPrefix(string(r.Body), msg.Title+"\n\n") || !strings.HasPrefix(r.Type, "text/plain") {
		t.Errorf("plain body %q (%s)", r.Body, r.Type)
	}
}

func TestWebhookFailures(t *testing.T) {
	h := newHookServer(t)
	ctx := context.Background()
	ch := channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = \"%s/in/tok-in-path-123456?key=tok-in-query\"\n", h.URL), Options{})
	h.answer = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusUnauthorized, http.StatusNotFound}
	e := failure(t, ch.Deliver(ctx, sample), true, "server answered 429 Too Many Requests")
	if e.RetryAfter != 2*time.Minute {
		t.Errorf("Retry-After %v; want 2m", e.RetryAfter)
	}
	failure(t, ch.Deliver(ctx, sample), true, "server answered 503")
	e = failure(t, ch.Deliver(ctx, sample), false, "server answered 401")
	if !strings.Contains(e.Hint, "check the token") {
		t.Errorf("hint %q", e.Hint)
	}
	e = failure(t, ch.Deliver(ctx, sample), false, "server answered 404")
	for _, err := range []error{e, e.Err} {
		if s := err.Error(); strings.Contains(s, "tok-in-path") || strings.Contains(s, "tok-in-query") {
			t.Errorf("the error shows the URL's secret: %s", s)
		}
	}
	// Nothing listens: temporary, and still no URL.
	h.Close()
	e = failure(t, ch.Deliver(ctx, sample), true, "")
	if strings.Contains(e.Error(), "tok-in-path") {
		t.Errorf("the network error shows the URL: %s", e.Error())
	}
	// A template that makes invalid JSON is the config's fault: permanent.
	bad := channel(t, "[channels.hook]\ntype = \"webhook\"\nurl = \"https://example.com/x\"\nbody = '{\"text\": {{.Title}}}'\n", Options{})
	failure(t, bad.Deliver(ctx, sample), false, "the body template made invalid JSON")
}
