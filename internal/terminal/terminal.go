// Package terminal keeps what rekindle prints from driving the terminal that
// shows it. Names, notes, mail headers and error messages come from other
// people (a vCard, an API call, any sender's mail) and may carry escape
// sequences that write the clipboard (OSC 52), set the window title, move
// the cursor or rewrite the screen, or bidirectional overrides that show
// text in another order than it is. Every printer that may reach a
// terminal goes through Strip or a Writer.
package terminal

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Is tells whether w is a terminal.
func Is(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Hidden tells the runes Strip drops: control characters but the newline
// and the tab (C0, DEL and C1, which hold ESC, CSI and OSC, the carriage
// return and the backspace), and the bidirectional embeddings, overrides
// and isolates (U+202A to U+202E, U+2066 to U+2069).
func Hidden(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// HasHidden tells whether s holds a rune Hidden tells: strings.IndexFunc(s,
// Hidden) >= 0, a byte at a time where s is ASCII.
func HasHidden(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], Hidden) >= 0
		}
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// Strip is s without the runes Hidden tells; bytes that are not UTF-8
// become U+FFFD.
func Strip(s string) string {
	clean := true
	for _, r := range s {
		if Hidden(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Hidden(r) {
			return -1
		}
		return r
	}, s)
}

// Writer strips what is written through it before it reaches a terminal.
type Writer struct {
	w    io.Writer
	tail []byte // the start of a character cut by the end of the last write
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p without the runes Hidden tells. A character that the end
// of p cuts is held until the next write completes it.
func (t *Writer) Write(p []byte) (int, error) {
	b := append(t.tail, p...)
	t.tail = nil
	// Hold back an incomplete character at the end.
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				t.tail = append([]byte(nil), b[i:]...)
				b = b[:i]
			}
			break
		}
	}
	if _, err := io.WriteString(t.w, Strip(string(b))); err != nil {
		return 0, err
	}
	return len(p), nil
}
