package rules

import "testing"

// Every kind Evaluate can give is in the table once, with its words and
// tag; the other packages' tests check their share (config: a template
// key per kind; notifier: templates and a tag per kind; calendar: a
// summary per kind).
func TestKindTable(t *testing.T) {
	seen := map[Kind]bool{}
	for _, k := range KindTable {
		if k.Kind == None || k.Words == "" || k.Tag == "" || seen[k.Kind] {
			t.Errorf("kind %q: words %q, tag %q, twice %v", k.Kind, k.Words, k.Tag, seen[k.Kind])
		}
		seen[k.Kind] = true
	}
	for _, k := range []Kind{CheckIn, CooldownOver, FollowUp, LetBeNotice, OccasionKind} {
		if _, ok := k.Info(); !ok {
			t.Errorf("kind %q is not in KindTable", k)
		}
	}
}
