package config

import (
	"testing"

	"github.com/rekindle/rekindle/rules"
)

// Every reminder kind of rules.KindTable takes a [templates.KIND] table,
// and the config keys for templates are exactly those kinds.
func TestEveryKindTakesTemplates(t *testing.T) {
	for _, k := range rules.Kinds {
		cfg, err := Parse("kinds.toml", []byte("[templates."+string(k)+"]\ntitle = \"Hello {{.Name}}\"\n"))
		if err != nil {
			t.Errorf("[templates.%s]: %v", k, err)
			continue
		}
		if cfg.Templates[string(k)]["title"] != "Hello {{.Name}}" {
			t.Errorf("[templates.%s] title not read: %v", k, cfg.Templates)
		}
	}
	if len(templateKinds) != len(rules.Kinds) {
		t.Errorf("template keys %v; kinds %v", templateKinds, rules.Kinds)
	}
}
