package main

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rekindle/rekindle/internal/terminal"
	"golang.org/x/text/width"
)

// table lays text out in columns two spaces apart, as text/tabwriter does,
// but measures each cell by the columns a terminal gives it: East Asian
// wide and fullwidth characters (a name in Chinese or Japanese) take two,
// combining marks none. tabwriter counts one for every character, which
// pushes the columns after such a name out of line.
type table struct {
	rows [][]string
}

// add appends a row.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write writes the rows; the last cell of a row is not padded.
func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r[:len(r)-1] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			if i < len(r)-1 {
				b.WriteString(padRight(c, widths[i]) + "  ")
			} else {
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// padRight is s with spaces after it up to width terminal columns.
func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-displayWidth(s)))
}

// displayWidth is how many terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me) || r == '\u200d' || terminal.Hidden(r):
		case r >= utf8.RuneSelf && isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	k := width.LookupRune(r).Kind()
	return k == width.EastAsianWide || k == width.EastAsianFullwidth
}
