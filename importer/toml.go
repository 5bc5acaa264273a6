package importer

import (
	"bufio"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rekindle/rekindle/rules"
)

// Set is what import writes into every person, since no export knows
// it: import's --every, --group, --paused and --last-talked.
type Set struct {
	Every      string // as the config reads it: "30d"
	Group      string
	Paused     bool
	LastTalked string // a date, 2026-11-01
}

// Write writes p as a [[contact]] table with the given id, followed by a
// blank line: name, called, id, group, email, phone, birthday, what set
// says, and a [contact.dates] table for the other dates. The table is
// built in the writer's own buffer (bufio's AvailableBuffer) and handed
// over in one Write, not a call of the writer for every key, comma and
// quote.
func Write(w *bufio.Writer, p Person, id string, set Set) {
	w.Write(appendPerson(w.AvailableBuffer(), p, id, set))
}

func appendPerson(b []byte, p Person, id string, set Set) []byte {
	b = append(b, "[[contact]]\nname = "...)
	b = appendQuoted(b, p.Name)
	if p.Called != "" {
		b = append(b, "\ncalled = "...)
		b = appendQuoted(b, p.Called)
	}
	b = append(b, "\nid = "...)
	b = appendQuoted(b, id)
	b = append(b, '\n')
	if set.Group != "" {
		b = append(b, "group = "...)
		b = appendQuoted(b, set.Group)
		b = append(b, '\n')
	}
	b = appendList(b, "email = [", p.Emails)
	b = appendList(b, "phone = [", p.Phones)
	others := false
	for _, o := range p.Occasions {
		if o.Name == rules.Birthday {
			b = append(b, "birthday = "...)
			b = appendDate(b, o)
			b = append(b, '\n')
			continue
		}
		others = true
	}
	if set.LastTalked != "" {
		b = append(b, "last_interaction = "...)
		b = append(b, set.LastTalked...)
		b = append(b, '\n')
	}
	if set.Every != "" {
		b = append(b, "every = "...)
		b = appendQuoted(b, set.Every)
		b = append(b, '\n')
	}
	if set.Paused {
		b = append(b, "paused = true\n"...)
	}
	if others {
		b = append(b, "[contact.dates]\n"...)
		for _, o := range p.Occasions {
			if o.Name == rules.Birthday {
				continue
			}
			b = append(b, key(o.Name)...)
			b = append(b, " = "...)
			b = appendDate(b, o)
			b = append(b, '\n')
		}
	}
	return append(b, '\n')
}

// appendList appends an array of strings after its key, when it has any.
func appendList(b []byte, key string, values []string) []byte {
	if len(values) == 0 {
		return b
	}
	b = append(b, key...)
	for i, v := range values {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendQuoted(b, v)
	}
	return append(b, "]\n"...)
}

// appendDate appends an occasion as date writes it.
func appendDate(b []byte, o rules.Occasion) []byte {
	if o.Year <= 0 || o.Year > 9999 || o.Month < 1 || o.Month > 12 || o.Day < 1 || o.Day > 99 {
		return append(b, date(o)...)
	}
	y := o.Year
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'-', byte('0'+int(o.Month)/10), byte('0'+int(o.Month)%10), '-', byte('0'+o.Day/10), byte('0'+o.Day%10))
}

// appendQuoted appends quote(s): s as it is between quotes when it is
// UTF-8 with nothing to escape, as almost every name and address is.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if escaped(c) {
				return append(b, quote(s)...)
			}
			continue
		}
		if !utf8.ValidString(s[i:]) {
			return append(b, quote(s)...)
		}
		// The rest is UTF-8, in which a byte below 0x80 is that
		// character, never part of another: look on at those alone.
		for _, c := range []byte(s[i:]) {
			if escaped(c) {
				return append(b, quote(s)...)
			}
		}
		break
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// escaped tells the bytes quote escapes: the quote, the backslash and
// control characters.
func escaped(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c == 0x7f }

// date writes an occasion as the config takes it: a TOML date, or a
// quoted "--MM-DD" without a year.
func date(o rules.Occasion) string {
	if o.Year == 0 {
		return quote(o.String())
	}
	return o.String()
}

// key writes a TOML key: bare when it can be, else quoted.
func key(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// quote writes s as a TOML basic string: every character as it is but the
// quote, the backslash and control characters, which are escaped. Bytes
// that are not UTF-8 become U+FFFD.
func quote(s string) string {
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
