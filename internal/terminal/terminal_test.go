package terminal

import (
	"bytes"
	"testing"
)

// hostile holds what a sender may hide in a name or a header: a clipboard
// write (OSC 52), a title change, CSI in its 7-bit and C1 forms, a
// carriage return, a backspace, DEL, and bidirectional overrides and
// isolates.
const hostile = "Ana\x1b]52;c;cm0gLXJmIH4=\x07 \x1b]0;owned\x1b\\\x1b[2J\u009b31m\r\bLima\x7f \u202egnp.exe\u202c \u2066x\u2069\ttab\nline"

const shown = "Ana]52;c;cm0gLXJmIH4= ]0;owned\\[2J31mLima gnp.exe x\ttab\nline"

func TestStrip(t *testing.T) {
	if got := Strip(hostile); got != shown {
		t.Errorf("Strip = %q; want %q", got, shown)
	}
	for _, s := range []string{"Zoë Ødegård", "王小明", "مرحبا", "a\tb\nc"} {
		if got := Strip(s); got != s {
			t.Errorf("Strip(%q) = %q; want it unchanged", s, got)
		}
	}
}

// TestWriterCutsAnywhere: the text written one byte at a time comes out
// as Strip gives it, so a C1 character or an override cut by a buffer's
// end does not pass.
func TestWriterCutsAnywhere(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	for i := 0; i < len(hostile); i++ {
		if n, err := w.Write([]byte{hostile[i]}); n != 1 || err != nil {
			t.Fatalf("write: %d, %v", n, err)
		}
	}
	if out.String() != shown {
		t.Errorf("written byte by byte: %q; want %q", out.String(), shown)
	}
}

// TestHasHidden: HasHidden answers as strings.IndexFunc(s, Hidden) >= 0,
// whether the hidden rune is ASCII (found byte by byte) or after the first
// non-ASCII byte (found by runes), and bytes that are not UTF-8 are not
// hidden.
func TestHasHidden(t *testing.T) {
	for _, s := range []string{"", "Ana Lima", "a\tb\nc", "Ana\x1b[2J", "Zoë\x1b", "Zoë\u202e", "\u009b31m", "x\x7f",
		"Zoë Ødegård", "\xff\xfe", "\xffa\x01", "王小明\u2066", hostile, shown} {
		want := false
		for _, r := range s {
			want = want || Hidden(r)
		}
		if got := HasHidden(s); got != want {
			t.Errorf("HasHidden(%q) = %v; want %v", s, got, want)
		}
	}
}
