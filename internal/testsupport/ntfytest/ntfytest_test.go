package ntfytest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestAnswersAsNtfy: the errors a publisher meets, with ntfy's status,
// code, words and link, in ntfy's order.
func TestAnswersAsNtfy(t *testing.T) {
	s := New()
	defer s.Close()
	s.RequireToken("tk_good", "reminders")
	tests := []struct {
		name, auth, body string
		want             apiError
	}{
		{"no credentials on a closed server", "", `{"topic":"reminders","message":"hi"}`, errForbidden},
		{"a token without access", "Bearer tk_good", `{"topic":"other","message":"hi"}`, errForbidden},
		{"an unknown token, before the body is read", "Bearer tk_bad", `not json`, errUnauthorized},
		{"a reserved topic", "Bearer tk_good", `{"topic":"app","message":"hi"}`, errTopicReserved},
		{"v1 is reserved", "", `{"topic":"v1","message":"hi"}`, errTopicReserved},
		{"a topic with a dot", "Bearer tk_good", `{"topic":"a.b","message":"hi"}`, errTopicInvalid},
		{"not JSON", "Bearer tk_good", `topic=reminders`, errJSONInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.want.HTTP || got["code"] != float64(tt.want.Code) || got["http"] != float64(tt.want.HTTP) || got["error"] != tt.want.Msg {
				t.Errorf("answered %d %v; want %d %+v", resp.StatusCode, got, tt.want.HTTP, tt.want)
			}
			if link, ok := got["link"]; ok != (tt.want.Link != "") || ok && link != tt.want.Link {
				t.Errorf("link %v; want %q", got["link"], tt.want.Link)
			}
		})
	}
	if n := len(s.Received()); n != 0 {
		t.Errorf("accepted %d", n)
	}
}
