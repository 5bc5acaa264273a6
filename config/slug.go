package config

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slug makes a contact id from a name: lower case letters and digits, with
// single dashes for everything in between. "Alice Moreau" is "alice-moreau".
func Slug(name string) string {
	var b strings.Builder
	b.Grow(len(name)) // about as long as the name: one allocation
	dash := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				b.WriteByte(byte(r))
				continue
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		dash = true
	}
	return b.String()
}

// validID reports whether an explicit id is usable on the command line and
// in URLs: letters, digits, '-', '_' and '.', starting with a letter or digit.
func validID(id string) bool {
	for i, r := range id {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || (i > 0 && (r == '-' || r == '_' || r == '.'))
		if !ok {
			return false
		}
	}
	return id != ""
}
