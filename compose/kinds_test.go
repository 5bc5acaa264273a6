package compose

import (
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/everykind"
	"github.com/rekindle/rekindle/rules"
)

// Every reminder kind of rules.KindTable has rekindle's own words and a
// tag, and no template is for a kind the table does not know.
func TestEveryKindHasTemplatesAndTag(t *testing.T) {
	for _, k := range rules.Kinds {
		parts := defaultTemplates[k]
		for _, part := range templateParts {
			if len(parts[part]) == 0 {
				t.Errorf("kind %s has no default %s", k, part)
			}
		}
		if len(kindTags[k]) == 0 || kindTags[k][0] == "" {
			t.Errorf("kind %s has no tag", k)
		}
	}
	for k := range defaultTemplates {
		if _, ok := k.Info(); !ok {
			t.Errorf("templates for %q, which rules.KindTable does not know", k)
		}
	}
}

// Every reminder kind of rules.KindTable has a case in everykind, whose
// person is due with that kind on the day the cases are for: the
// channels' golden files (notifier's TestGolden) pin its message on
// every channel, so a kind without a case would go out unseen.
func TestEveryKindHasACase(t *testing.T) {
	cfg, err := config.Parse("people.toml", []byte(everykind.People))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	cased := map[rules.Kind]bool{}
	for _, tc := range everykind.Cases {
		if tc.ID == "" {
			continue // the test message
		}
		kind, _, _ := strings.Cut(tc.Name, "-")
		_, r := everykind.Due(t, cfg, tc.ID, at)
		if string(r.Kind) != kind {
			t.Errorf("case %s: %s is due with %s", tc.Name, tc.ID, r.Kind)
		}
		cased[r.Kind] = true
	}
	for _, k := range rules.Kinds {
		if !cased[k] {
			t.Errorf("kind %s has no case in everykind.Cases", k)
		}
	}
}
