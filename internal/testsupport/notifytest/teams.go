package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// Teams is a Workflows (Power Automate) webhook that posts to Teams: POST
// with {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": {...}}]}; 202
// Accepted when taken; 400 for a body it cannot use; 401 when the URL's
// signature (its sig parameter) is not Sig; 429 with Retry-After when
// throttled. The channel wants https: Redirect is the seam.
type Teams struct {
	*httptest.Server
	Sig string

	mu    sync.Mutex
	cards []map[string]any
	next  []int
}

// NewTeams starts a webhook.
func NewTeams() *Teams {
	s := &Teams{Sig: "right-signature"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Cards returns the adaptive cards taken.
func (s *Teams) Cards() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cards)
}

// Answer makes the next requests answer these statuses, one each.
func (s *Teams) Answer(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = statuses
}

func (s *Teams) handle(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string) {
		reply(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
	}
	if r.URL.Query().Get("sig") != s.Sig {
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
}
