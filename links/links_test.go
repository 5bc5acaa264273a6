package links

import (
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	key := []byte("0123456789abcdef0123")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tok := Sign(key, ActionScope("alice", "talked"), now.Add(ActionTTL))
	for _, tc := range []struct {
		name  string
		key   []byte
		scope string
		token string
		at    time.Time
		want  bool
	}{
		{"as signed", key, ActionScope("alice", "talked"), tok, now, true},
		{"at the last second", key, ActionScope("alice", "talked"), tok, now.Add(ActionTTL), true},
		{"expired", key, ActionScope("alice", "talked"), tok, now.Add(ActionTTL + time.Second), false},
		{"another action", key, ActionScope("alice", "reached-out"), tok, now, false},
		{"another person", key, ActionScope("bob", "talked"), tok, now, false},
		{"another key", []byte("another key entirely"), ActionScope("alice", "talked"), tok, now, false},
		{"a later expiry written in", key, ActionScope("alice", "talked"), "9999999999" + tok[strings.Index(tok, "."):], now, false},
		{"no signature", key, ActionScope("alice", "talked"), "1796742863", now, false},
	} {
		if got := Verify(tc.key, tc.scope, tc.token, tc.at); got != tc.want {
			t.Errorf("%s: Verify = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestActionAndDashboard(t *testing.T) {
	key := []byte("0123456789abcdef0123")
	exp := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	u, cred := Action("https://r.example.org", key, "zoë ł", "snooze-3d", exp)
	if u != "https://r.example.org/act/zo%C3%AB%20%C5%82/snooze-3d" || !Verify(key, ActionScope("zoë ł", "snooze-3d"), cred, exp) {
		t.Errorf("Action = %q, %q", u, cred)
	}
	d := Dashboard("https://r.example.org", key, "/people/alice", exp)
	tok, ok := strings.CutPrefix(d, "https://r.example.org/people/alice?t=")
	if !ok || !Verify(key, "link", strings.ReplaceAll(tok, "%2E", "."), exp) {
		t.Errorf("Dashboard = %q", d)
	}
}
