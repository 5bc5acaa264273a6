package rules

import (
	"strings"
	"testing"
)

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

// What status, log and the pages say of a state and its reminder reads as
// words, from the tables: no id with an underscore, the occasion named.
func TestSay(t *testing.T) {
	for _, c := range []struct {
		state    State
		kind     Kind
		occasion string
		want     string
	}{
		{Due, CheckIn, "", "due: check-in"},
		{Due, OccasionKind, "birthday", "due: birthday"},
		{OK, OccasionKind, "name day", "all good, name day due"},
		{LetBe, LetBeNotice, "", "let be, notice due"},
		{Waiting, FollowUp, "", "waiting for a reply, follow-up due"},
		{CoolingDown, None, "", "cooling down"},
		{LetBe, None, "", "let be"},
		{OK, None, "", "all good"},
	} {
		if got := Say(c.state, c.kind, c.occasion); got != c.want {
			t.Errorf("Say(%s, %s, %q) = %q, want %q", c.state, c.kind, c.occasion, got, c.want)
		}
	}
	for _, s := range StateTable {
		if s.Words == "" || strings.Contains(s.Words, "_") {
			t.Errorf("state %q reads %q", s.State, s.Words)
		}
	}
}
