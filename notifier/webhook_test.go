package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

// lastRequest is the last request h received.
func lastRequest(t *testing.T, h *notifytest.Hook) notifytest.HookRequest {
	t.Helper()
	got := h.Got()
	if len(got) == 0 {
		t.Fatal("the endpoint received nothing")
	}
	return got[len(got)-1]
}

func TestWebhook(t *testing.T) {
	h := notifytest.NewHook()
	defer h.Close()
	t.Setenv("HOOK_TOKEN", "s3cr3t-header-token")
	ctx := context.Background()
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}

	// The default: notify's {"subject", "message"} as JSON, POST.
	ch := channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = \"%s/in/tok-in-path?key=tok-in-query\"\n[channels.hook.headers]\nAuthorization = \"Bearer ${HOOK_TOKEN}\"\n", h.URL), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	r := lastRequest(t, h)
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
	r = lastRequest(t, h)
	if json.Unmarshal(r.Body, &doc) != nil || r.Method != "PUT" || doc["text"] != msg.Title || doc["url"] != msg.Links[0].URL || !strings.Contains(doc["md"], "**Something to send**") {
		t.Errorf("templated body %s %s", r.Method, r.Body)
	}

	// Plain text.
	ch = channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = %q\ncontent_type = \"text/plain\"\n", h.URL+"/text"), Options{})
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if r = lastRequest(t, h); !strings.HasPrefix(string(r.Body), msg.Title+"\n\n") || !strings.HasPrefix(r.Type, "text/plain") {
		t.Errorf("plain body %q (%s)", r.Body, r.Type)
	}
}

func TestWebhookFailures(t *testing.T) {
	h := notifytest.NewHook()
	defer h.Close()
	ctx := context.Background()
	ch := channel(t, fmt.Sprintf("[channels.hook]\ntype = \"webhook\"\nurl = \"%s/in/tok-in-path-123456?key=tok-in-query\"\n", h.URL), Options{})
	h.Answer(http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusUnauthorized, http.StatusNotFound)
	e := failure(t, ch.Deliver(ctx, sample), true, "server answered 429 Too Many Requests")
	if e.RetryAfter != 2*time.Minute {
		t.Errorf("Retry-After %v; want 2m", e.RetryAfter)
	}
	failure(t, ch.Deliver(ctx, sample), true, "server answered 503")
	e = failure(t, ch.Deliver(ctx, sample), false, "server answered 401")
	if !strings.Contains(e.Hint(), "check the token") {
		t.Errorf("hint %q", e.Hint())
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
