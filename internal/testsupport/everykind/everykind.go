// Package everykind is for tests only: people with a reminder of every kind
// due on 2026-12-01, which the composer's tests read and the channels'
// golden files pin.
package everykind

import (
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/rules"
)

// People is a config with one person for each case.
const People = `timezone = "Europe/Berlin"

[[contact]]
name = "Alice Moreau"
last_interaction = 2026-10-20
every = "2w"
interests = ["chess", "trail running"]
notes = "Started a new job in October."

[[contact]]
name = "Newcomer"

[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-20
notes = "We argued about the move. I was short with him."

[[contact]]
name = "Emil <the> Great & Co"
last_interaction = 2026-10-01
reached_out = [2026-11-25]
max_unanswered = 3

[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-25]
interests = ["climbing"]

[[contact]]
name = "Zed"
last_interaction = 2026-08-15
reached_out = [2026-11-20, 2026-11-25]

[[contact]]
name = "Ines Duarte"
last_interaction = 2026-11-25
birthday = 1989-12-02
interests = ["pottery"]

[[contact]]
name = "Olga"
last_interaction = 2026-09-01
fallout = 2026-11-28
birthday = "--12-01"
interests = ["sailing"]

[[contact]]
name = "Pat"
last_interaction = 2026-11-25
[contact.dates]
anniversary = 2020-12-02
"moved to Lisbon" = 2025-12-03
`

// Cases are a reminder of every kind, and the variants that read
// differently: a first hello, a last try, the test message (id "").
var Cases = []struct {
	Name, ID string
}{
	{"check_in", "alice-moreau"},
	{"check_in-first", "newcomer"},
	{"cooldown_over", "bob"},
	{"follow_up", "emil-the-great-co"},
	{"follow_up-last-try", "dana"},
	{"let_be", "zed"},
	{"occasion", "ines-duarte"},
	{"occasion-quiet", "olga"},
	{"occasion-anniversary", "pat"},
	{"test", ""},
}

// Due is the person id of cfg and their rules' result at at, which must be
// due then.
func Due(t testing.TB, cfg *config.Config, id string, at time.Time) (*config.Contact, rules.Result) {
	t.Helper()
	c, ok := cfg.Lookup(id)
	if !ok {
		t.Fatalf("no contact %s", id)
	}
	r := rules.Evaluate(c.Settings, &c.Dates, nil, at)
	if !r.IsDue(at) {
		t.Fatalf("%s is not due at %v: %s", id, at, r.Reason(at))
	}
	return c, r
}
