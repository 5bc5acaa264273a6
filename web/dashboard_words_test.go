package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
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

// On an occasion's day a person's page names the occasion ("birthday"),
// never the kind's id or the word "occasion"; the chart's tooltip too.
func TestPageNamesTheOccasionDue(t *testing.T) {
	f := start(t)
	f.now = time.Date(2026, 12, 10, 10, 0, 0, 0, f.cfg.Location)
	page := html.UnescapeString(f.do(t, "GET", "/people/emil", "", false).body)
	m := regexp.MustCompile(`<p class="state [^"]*" data-state="[^"]*"><strong>([^<]*)</strong>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], "birthday") || strings.Contains(m[1], "occasion") {
		t.Errorf("Emil's state on his birthday reads %q; want the occasion named:\n%s", m, page)
	}
	chart := html.UnescapeString(f.do(t, "GET", "/", "", false).body)
	if !regexp.MustCompile(`<title>Emil: [^<]*birthday[^<]*, now</title>`).MatchString(chart) {
		t.Errorf("the chart's mark for Emil does not name his birthday:\n%s", chart)
	}
}
