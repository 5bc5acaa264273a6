package compose

import (
	"testing"

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
