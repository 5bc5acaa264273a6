package web

import (
	"testing"

	"github.com/rekindle/rekindle/rules"
)

// TestEveryKindInWords: a page says each reminder kind as rules.KindTable
// does, never as its id, and a kind's words are not taken for a state's
// (the let-be notice's id is the let-be state's).
func TestEveryKindInWords(t *testing.T) {
	for _, info := range rules.KindTable {
		if got := words(info.Kind); got != info.Words {
			t.Errorf("words(%q) = %q; want %q, from the table of kinds", info.Kind, got, info.Words)
		}
	}
	if got := words(rules.LetBe); got != "let be" {
		t.Errorf("the let-be state reads %q; want \"let be\"", got)
	}
}
