package links

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	key := []byte("0123456789abcdef0123")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	scope := Button("alice", "talked", "n1")
	tok := scope.Sign(key, now.Add(ActionTTL))
	for _, tc := range []struct {
		name  string
		key   []byte
		scope Scope
		token string
		at    time.Time
		want  bool
	}{
		{"as signed", key, scope, tok, now, true},
		{"at the last second", key, scope, tok, now.Add(ActionTTL), true},
		{"expired", key, scope, tok, now.Add(ActionTTL + time.Second), false},
		{"another action", key, Button("alice", "reached-out", "n1"), tok, now, false},
		{"another person", key, Button("bob", "talked", "n1"), tok, now, false},
		{"another notification", key, Button("alice", "talked", "n2"), tok, now, false},
		{"another key", []byte("another key entirely"), scope, tok, now, false},
		{"a later expiry written in", key, scope, "9999999999" + tok[strings.Index(tok, "."):], now, false},
		{"no signature", key, scope, "1796742863", now, false},
		// The expiry counts from the clock that checks: a token signed
		// while the clock was a day ahead is refused until the day has
		// passed, and one for the year 9000 is refused now.
		{"signed by a clock a day ahead", key, scope, scope.Sign(key, now.Add(24*time.Hour+ActionTTL)), now, false},
		{"a day later, the same token", key, scope, scope.Sign(key, now.Add(24*time.Hour+ActionTTL)), now.Add(24 * time.Hour), true},
		{"signed by a clock minutes ahead", key, scope, scope.Sign(key, now.Add(ActionTTL+Slack)), now, true},
		{"signed for the year 9000", key, scope, scope.Sign(key, time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)), now, false},
	} {
		if _, got := tc.scope.Verify(tc.key, tc.token, tc.at); got != tc.want {
			t.Errorf("%s: Verify = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// Each scope opens only itself: a person's link is not another person's
// link, nor a session, nor the calendar; a session for one person is not
// one for everyone.
func TestScopesAreDistinct(t *testing.T) {
	key := []byte("0123456789abcdef0123")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	scopes := map[string]Scope{
		"link alice": PersonLink("alice"), "link bob": PersonLink("bob"),
		"session alice": PersonSession("alice"), "session bob": PersonSession("bob"),
		"everything": Everything, "calendar": CalendarFeed, "calls": Calls,
		"button": Button("alice", "talked", "n"), "sign-in": SignIn("n"),
	}
	for signed, s := range scopes {
		tok := s.Sign(key, now.Add(time.Minute))
		for checked, c := range scopes {
			if _, ok := c.Verify(key, tok, now); ok != (signed == checked) {
				t.Errorf("a %s token checked as %s: %v", signed, checked, ok)
			}
		}
	}
}

func TestLinksCountFromNow(t *testing.T) {
	key := []byte("0123456789abcdef0123")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	u, cred := Action("https://r.example.org", key, "zoë ł", "snooze-3d", "N0NCE", now)
	if u != "https://r.example.org/act/zo%C3%AB%20%C5%82/snooze-3d" {
		t.Errorf("Action URL = %q", u)
	}
	scope := func(n string) Scope { return Button("zoë ł", "snooze-3d", n) }
	if n, exp, ok := VerifyOnce(key, scope, cred, now); !ok || n != "N0NCE" || !exp.Equal(now.Add(ActionTTL)) {
		t.Errorf("Action credential %q: nonce %q, expiry %v, %v", cred, n, exp, ok)
	}
	if _, _, ok := VerifyOnce(key, scope, "OTHER"+strings.TrimPrefix(cred, "N0NCE"), now); ok {
		t.Error("a credential with another nonce written in verifies")
	}
	d := Person("https://r.example.org", key, "alice", now)
	tok, ok := strings.CutPrefix(d, "https://r.example.org/people/alice?t=")
	tok, _ = url.QueryUnescape(tok)
	if exp, valid := PersonLink("alice").Verify(key, tok, now); !ok || !valid || !exp.Equal(now.Add(LinkTTL)) {
		t.Errorf("Person = %q (expiry %v)", d, exp)
	}
	c, ok := strings.CutPrefix(Calendar("https://r.example.org", key, now), "https://r.example.org/calendar.ics?t=")
	c, _ = url.QueryUnescape(c)
	if exp, valid := CalendarFeed.Verify(key, c, now); !ok || !valid || !exp.Equal(now.Add(CalendarTTL)) {
		t.Errorf("Calendar: %q, expiry %v", c, exp)
	}
	hook, cred := CallsHook("https://r.example.org", key, now)
	if exp, valid := Calls.Verify(key, cred, now); hook != "https://r.example.org/api/calls" || !valid || !exp.Equal(now.Add(CallsTTL)) {
		t.Errorf("CallsHook: %q %q, expiry %v", hook, cred, exp)
	}
	s, ok := strings.CutPrefix(SignInLink("http://127.0.0.1:8785", key, now), "http://127.0.0.1:8785/login?t=")
	s, _ = url.QueryUnescape(s)
	if _, exp, valid := VerifyOnce(key, SignIn, s, now); !ok || !valid || !exp.Equal(now.Add(SignInTTL)) {
		t.Errorf("SignInLink: %q, expiry %v", s, exp)
	}
	if a, b := NewNonce(), NewNonce(); a == b || len(a) != 22 || strings.ContainsAny(a, ".+/=") {
		t.Errorf("nonces %q and %q", a, b)
	}
}
