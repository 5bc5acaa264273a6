package web

import (
	"github.com/rekindle/rekindle/scheduler"
)

// The API has always answered with encoding/json's Encoder, indented by
// two spaces with HTML escaping on; the status documents come from
// scheduler.Status.AppendJSON through MarshalJSON, which the Encoder then
// checked, compacted and indented again. statusList writes the same bytes
// in one pass: AppendJSON's text, indented as the Encoder indents
// (TestStatusListAsTheEncoder holds the two to each other).

// statusList is the body of GET /api/contacts: the Encoder's output for
// st, trailing newline included.
func statusList(st []scheduler.Status) []byte {
	if len(st) == 0 {
		return []byte("[]\n")
	}
	b := make([]byte, 0, 340*len(st))
	var one []byte
	b = append(b, '[')
	for i := range st {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  "...)
		one = st[i].AppendJSON(one[:0], "")
		b = appendIndented(b, one, 1)
	}
	return append(b, "\n]\n"...)
}

// appendIndented appends the JSON value src (valid JSON, as AppendJSON
// writes it) indented as json.Indent indents it with two spaces, the value
// standing at depth levels in, after the compaction of an Encoder with
// HTML escaping: whitespace between tokens is dropped and made anew, and
// <, > and & in strings are written \u003c, \u003e and \u0026, and U+2028
// and U+2029 as \u2028 and \u2029. An empty object or array stays {} or [].
func appendIndented(b, src []byte, depth int) []byte {
	newline := func(b []byte, depth int) []byte {
		b = append(b, '\n')
		for range depth {
			b = append(b, "  "...)
		}
		return b
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			// A string, copied in runs between the bytes to escape.
			start := i
			i++
		str:
			for ; i < len(src); i++ {
				switch c := src[i]; {
				case c == '"':
					break str
				case c == '\\':
					i++
				case c == '<' || c == '>' || c == '&':
					b = append(b, src[start:i]...)
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
					start = i + 1
				case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
					b = append(b, src[start:i]...)
					b = append(b, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xf])
					i += 2
					start = i + 1
				}
			}
			b = append(b, src[start:min(i+1, len(src))]...)
		case '{', '[':
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				b = append(b, c, src[j])
				i = j
				continue
			}
			depth++
			b = newline(append(b, c), depth)
		case '}', ']':
			depth--
			b = append(newline(b, depth), c)
		case ',':
			b = newline(append(b, ','), depth)
		case ':':
			b = append(b, ':', ' ')
		default:
			b = append(b, c)
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"
