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

// teamsServer is a Workflows (Power Automate) webhook that posts to Teams:
// POST with {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": {...}}]}; 202
// Accepted when taken; 400 for a body it cannot use; 401 when the URL's
// signature is wrong; 429 with Retry-After when throttled.
type teamsServer struct {
	*httptest.Server
	mu    sync.Mutex
	cards []map[string]any
	next  []int
}

func newTeamsServer(t *testing.T) *teamsServer {
	s := &teamsServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, code, msg string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
		}
		if r.URL.Query().Get("sig") != "right-signature" {
			fail(401, "DirectApiAuthorizationRequired", "The request must be authenticated only by Shared Access scheme.")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.next) > 0 {
			status := s.next[0]
			s.next = s.next[1:]
			if status == 429 {
				w.Header().Set("Retry-After", "30")
			}
			fail(status, "WorkflowTriggerIsThrottled", "Rate limit is exceeded. Try again in 30 seconds.")
			return
		}
		var in struct {
			Type        string
			Attachments []struct {
				ContentType string
				Content     map[string]any
			}
		}
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Type != "message" || len(in.Attachments) != 1 ||
			in.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
			fail(400, "InvalidRequestContent", "The request content is not valid.")
			return
		}
		s.cards = append(s.cards, in.Attachments[0].Content)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestMSTeams(t *testing.T) {
	srv := newTeamsServer(t)
	ctx := context.Background()
	// A Workflows URL, sent to the test server by the client's transport.
	o := Options{HTTPClient: toServer(srv.Server)}
	cfg := func(sig string) string {
		return fmt.Sprintf("[channels.teams]\ntype = \"msteams\"\nwebhook_url = \"https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=%s\"\n", sig)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("right-signature"), o)
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	card, _ := json.Marshal(srv.cards[0])
	for _, want := range []string{"AdaptiveCard", "Time to catch up with Alice", "It has been 41 days \\u0026 counting.", "[Open Alice in rekindle](https://r.example.org/people/alice?t=1.x)"} {
		if !strings.Contains(string(card), want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}
	srv.next = []int{429, 502}
	e := failure(t, ch.Deliver(ctx, msg), true, "server answered 429 Too Many Requests")
	if e.RetryAfter != 30*time.Second {
		t.Errorf("Retry-After %v; want 30s", e.RetryAfter)
	}
	failure(t, ch.Deliver(ctx, msg), true, "server answered 502")
	e = failure(t, channel(t, cfg("wrong-signature"), o).Deliver(ctx, msg), false, "server answered 401 Unauthorized")
	if !strings.Contains(e.Hint, "webhook_url") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-signature") {
		t.Errorf("bad signature: %v (hint %q)", e, e.Hint)
	}
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "right-signature") {
		t.Errorf("the URL's signature shows: %v", e)
	}
}
