package web

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rekindle/rekindle/rules"
	"github.com/rivo/uniseg"
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

// A chart name is cut at its end, between whole characters, to what the
// label column holds: a letter keeps its accent (written as a combining
// mark), a wide character counts twice.
func TestShortenKeepsTheStart(t *testing.T) {
	for _, name := range []string{
		"Ζωή-Ελένη Παπαδοπούλου",
		"Zoe\u0308 Mu\u0308ller-Lu\u0308denscheidt", // accents as combining marks
		"Zoë Müller-Lüdenscheidt",
		"山田太郎山田太郎山田太郎",
		"Ana 👩‍👩‍👧‍👦 de la Fuente Martínez",
	} {
		got := shorten(name, labelColumns)
		cut := strings.TrimSuffix(got, "…")
		if got == cut || !strings.HasPrefix(name, cut) {
			t.Errorf("shorten(%q) = %q; want the name's start and \"…\"", name, got)
		}
		if w := uniseg.StringWidth(got); w > labelColumns {
			t.Errorf("shorten(%q) = %q, %d columns; want at most %d", name, got, w, labelColumns)
		}
		// The cut falls between two characters: what follows is not an
		// accent, a joiner or a variation selector of the last one kept.
		if r, _ := utf8.DecodeRuneInString(name[len(cut):]); unicode.In(r, unicode.Mn, unicode.Me) || r == '\u200d' || r == '\ufe0f' {
			t.Errorf("shorten(%q) = %q cuts inside a character", name, got)
		}
	}
	if got := shorten("Alice Moreau", labelColumns); got != "Alice Moreau" {
		t.Errorf("a short name was cut: %q", got)
	}
}
