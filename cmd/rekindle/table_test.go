package main

import (
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{
		"Ana": 3, "": 0, "王小明": 6, "ｶﾀｶﾅ": 4, "Ｒｅｋｉｎｄｌｅ": 16, "José": 4, "Jose\u0301": 4, "Zoë Ng": 6,
	} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d; want %d", s, got, want)
		}
	}
}

// TestTableAlignsWideNames: the column after a name in Chinese starts
// where it does after a Latin one, on screen.
func TestTableAlignsWideNames(t *testing.T) {
	var tb table
	tb.add("NAME", "STATE", "WHY")
	tb.add("王小明", "due", "it has been a while")
	tb.add("Ana Lima", "ok", "talked last week")
	var b strings.Builder
	if err := tb.write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := []string{
		"NAME      STATE  WHY",
		"王小明    due    it has been a while",
		"Ana Lima  ok     talked last week",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// On screen, STATE, due and ok all start at column 10.
	for i, l := range lines {
		prefix := l[:strings.Index(l, []string{"STATE", "due", "ok"}[i])]
		if displayWidth(prefix) != 10 {
			t.Errorf("line %d: the second column starts at %d; want 10", i, displayWidth(prefix))
		}
	}
}

func TestPadRight(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  string
	}{
		{"Ana", 6, "Ana   "}, {"王小明", 8, "王小明  "}, {"王小明", 6, "王小明"}, {"toolong", 3, "toolong"},
	} {
		if got := padRight(tc.s, tc.width); got != tc.want {
			t.Errorf("padRight(%q, %d) = %q; want %q", tc.s, tc.width, got, tc.want)
		}
	}
}
