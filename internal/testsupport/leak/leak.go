// Package leak finds a secret in text the way someone reading the text
// could: any piece of eight bytes or more of it, as written or inside any
// run of base64 (either alphabet, any alignment) once decoded.
package leak

import (
	"bytes"
	"encoding/base64"
)

// Shows reports whether text shows secret, or a piece of eight bytes of it
// (all of it when shorter), as written or base64-decoded.
func Shows(text, secret string) bool {
	n := min(len(secret), 8)
	piece := func(b []byte) bool {
		for i := 0; i+n <= len(secret); i++ {
			if bytes.Contains(b, []byte(secret[i:i+n])) {
				return true
			}
		}
		return false
	}
	if piece([]byte(text)) {
		return true
	}
	run := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
	}
	for i := 0; i < len(text); {
		if !run(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && run(text[j]) {
			j++
		}
		for off := 0; off < 4 && i+off < j; off++ {
			chunk := text[i+off : j]
			chunk = chunk[:len(chunk)/4*4]
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(chunk); err == nil && piece(b) {
					return true
				}
			}
		}
		i = j
	}
	return false
}
