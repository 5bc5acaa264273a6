package scheduler

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends s as an indented JSON object, the status document of
// docs/commands.md ("status --json"), with null for an absent kind, last interaction, next
// reminder or next occasion. It is written by hand because `status --json` on a large list
// must cost little more than reading the config.
func (s *Status) AppendJSON(b []byte, indent string) []byte {
	in := indent + "  "
	b = append(b, indent...)
	b = append(b, "{\n"...)
	b = appendField(b, in, "id")
	b = appendString(b, s.ID)
	b = appendField(b, ",\n"+in, "name")
	b = appendString(b, s.Name)
	b = appendField(b, ",\n"+in, "state")
	b = appendString(b, string(s.State))
	b = appendField(b, ",\n"+in, "kind")
	if s.Kind == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, string(s.Kind))
	}
	b = appendField(b, ",\n"+in, "last_interaction")
	b = appendTime(b, s.LastInteraction)
	b = appendField(b, ",\n"+in, "next")
	b = appendTime(b, s.Next)
	b = appendField(b, ",\n"+in, "reason")
	b = appendString(b, s.Reason)
	b = appendField(b, ",\n"+in, "next_occasion")
	if s.OccasionDay.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"name": `...)
		b = appendString(b, s.Occasion)
		b = append(b, `, "date": "`...)
		b = s.OccasionDay.AppendFormat(b, time.DateOnly)
		b = append(b, `", "years": `...)
		if s.Years > 0 {
			b = strconv.AppendInt(b, int64(s.Years), 10)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, '}')
	}
	if !s.LastRunAhead.IsZero() {
		b = appendField(b, ",\n"+in, "last_run_ahead")
		b = appendTime(b, s.LastRunAhead)
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, '}')
}

// MarshalJSON makes Status usable with encoding/json.
func (s Status) MarshalJSON() ([]byte, error) {
	return s.AppendJSON(nil, ""), nil
}

func appendField(b []byte, sep, name string) []byte {
	b = append(b, sep...)
	b = append(b, '"')
	b = append(b, name...)
	return append(b, `": `...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// AppendJSONString appends s as a JSON string.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced, U+2028 and U+2029 escaped as
// encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, `\u202`...)
				b = strconv.AppendInt(b, int64(r&0xf), 16)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
