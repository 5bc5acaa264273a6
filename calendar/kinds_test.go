package calendar

import (
	"testing"

	"github.com/rekindle/rekindle/rules"
)

// Every reminder kind of rules.KindTable has its own words in the feed,
// not the fallback that shows the kind's code name.
func TestEveryKindHasASummary(t *testing.T) {
	for _, k := range rules.Kinds {
		if k == rules.OccasionKind {
			continue // occasionSummary: the occasion's own name
		}
		if s := summary("Ana", k); s == "Ana: "+string(k) {
			t.Errorf("kind %s: summary %q is the fallback", k, s)
		}
	}
}
