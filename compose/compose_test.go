package compose

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/rules"
)

// expiry reads the expiry a token or credential carries (its Unix seconds
// before the signature).
func expiry(t *testing.T, cred string) time.Time {
	t.Helper()
	parts := strings.Split(cred, ".")
	if len(parts) < 2 {
		t.Fatalf("%q is not a signed token", cred)
	}
	sec, err := strconv.ParseInt(parts[len(parts)-2], 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", cred, err)
	}
	return time.Unix(sec, 0)
}

// TestComposeSignsFromTheRealClock: a dry run at 9000-01-01 composes the
// reminder as it would read then, but its link and buttons count their
// lifetime from the real clock: a week and three days from now, not from
// 9000. Each message has buttons of its own notification.
func TestComposeSignsFromTheRealClock(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(`listen = "127.0.0.1:8785"
public_url = "https://r.example.org"
api_token = "compose-token-0123456789"
[[contact]]
name = "Alice"
last_interaction = 2026-10-20
`))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now().Truncate(time.Second)
	tmpl.Now = func() time.Time { return clock }
	c, _ := cfg.Lookup("alice")
	at := time.Date(9000, 1, 1, 9, 0, 0, 0, time.UTC)
	r := Reminder{Contact: c, Result: rules.Evaluate(c.Settings, &c.Dates, nil, at), At: at}
	m, err := One(cfg, tmpl, r)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(m.Click)
	if err != nil || u.Path != "/people/alice" {
		t.Fatalf("click %q", m.Click)
	}
	if exp := expiry(t, u.Query().Get("t")); !exp.Equal(clock.Add(links.LinkTTL)) {
		t.Errorf("the link expires %v; want a week from the clock, %v", exp, clock.Add(links.LinkTTL))
	}
	if len(m.Actions) != 3 {
		t.Fatalf("actions %+v", m.Actions)
	}
	nonces := map[string]bool{}
	for _, a := range m.Actions {
		cred := strings.TrimPrefix(a.Headers["Authorization"], "Bearer ")
		if exp := expiry(t, cred); !exp.Equal(clock.Add(links.ActionTTL)) {
			t.Errorf("%s expires %v; want 72 hours from the clock, %v", a.Label, exp, clock.Add(links.ActionTTL))
		}
		nonces[strings.SplitN(cred, ".", 2)[0]] = true
	}
	again, _ := One(cfg, tmpl, r)
	next := strings.SplitN(strings.TrimPrefix(again.Actions[0].Headers["Authorization"], "Bearer "), ".", 2)[0]
	if len(nonces) != 1 || nonces[next] {
		t.Errorf("nonces %v, then %q; want one per message, another for the next", nonces, next)
	}
}
