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
// says, and a [contact.dates] table for the other dates.
func Write(w *bufio.Writer, p Person, id string, set Set) {
	w.WriteString("[[contact]]\nname = ")
	writeQuoted(w, p.Name)
	if p.Called != "" {
		w.WriteString("\ncalled = ")
		writeQuoted(w, p.Called)
	}
	w.WriteString("\nid = ")
	writeQuoted(w, id)
	w.WriteByte('\n')
	if set.Group != "" {
		w.WriteString("group = ")
		writeQuoted(w, set.Group)
		w.WriteByte('\n')
	}
	writeList(w, "email = [", p.Emails)
	writeList(w, "phone = [", p.Phones)
	others := false
	for _, o := range p.Occasions {
		if o.Name == rules.Birthday {
			w.WriteString("birthday = ")
			writeDate(w, o)
			w.WriteByte('\n')
			continue
		}
		others = true
	}
	if set.LastTalked != "" {
		w.WriteString("last_interaction = ")
		w.WriteString(set.LastTalked)
		w.WriteByte('\n')
	}
	if set.Every != "" {
		w.WriteString("every = ")
		writeQuoted(w, set.Every)
		w.WriteByte('\n')
	}
	if set.Paused {
		w.WriteString("paused = true\n")
	}
	if others {
		w.WriteString("[contact.dates]\n")
		for _, o := range p.Occasions {
			if o.Name == rules.Birthday {
				continue
			}
			w.WriteString(key(o.Name))
			w.WriteString(" = ")
			writeDate(w, o)
			w.WriteByte('\n')
		}
	}
	w.WriteByte('\n')
}

// writeList writes an array of strings after its key, when it has any.
func writeList(w *bufio.Writer, key string, values []string) {
	if len(values) == 0 {
		return
	}
	w.WriteString(key)
	for i, v := range values {
		if i > 0 {
			w.WriteString(", ")
		}
		writeQuoted(w, v)
	}
	w.WriteString("]\n")
}

// writeDate writes an occasion as date does, without the string.
func writeDate(w *bufio.Writer, o rules.Occasion) {
	if o.Year <= 0 || o.Year > 9999 || o.Month < 1 || o.Month > 12 || o.Day < 1 || o.Day > 99 {
		w.WriteString(date(o))
		return
	}
	// Built in the writer's own buffer (bufio's idiom): a local array
	// handed to Write would go to the heap, once per date.
	y := o.Year
	b := append(w.AvailableBuffer(), byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'-', byte('0'+int(o.Month)/10), byte('0'+int(o.Month)%10), '-', byte('0'+o.Day/10), byte('0'+o.Day%10))
	w.Write(b)
}

// writeQuoted writes quote(s): s as it is between quotes when it is UTF-8
// with nothing to escape, as almost every name and address is.
func writeQuoted(w *bufio.Writer, s string) {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			w.WriteString(quote(s))
			return
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	if !ascii && !utf8.ValidString(s) {
		w.WriteString(quote(s))
		return
	}
	w.WriteByte('"')
	w.WriteString(s)
	w.WriteByte('"')
}

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
