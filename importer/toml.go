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
	w.WriteString(quote(p.Name))
	if p.Called != "" {
		w.WriteString("\ncalled = ")
		w.WriteString(quote(p.Called))
	}
	w.WriteString("\nid = ")
	w.WriteString(quote(id))
	w.WriteByte('\n')
	if set.Group != "" {
		w.WriteString("group = " + quote(set.Group) + "\n")
	}
	list := func(key string, values []string) {
		if len(values) == 0 {
			return
		}
		w.WriteString(key + " = [")
		for i, v := range values {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(quote(v))
		}
		w.WriteString("]\n")
	}
	list("email", p.Emails)
	list("phone", p.Phones)
	var others []rules.Occasion
	for _, o := range p.Occasions {
		if o.Name == rules.Birthday {
			w.WriteString("birthday = " + date(o) + "\n")
			continue
		}
		others = append(others, o)
	}
	if set.LastTalked != "" {
		w.WriteString("last_interaction = " + set.LastTalked + "\n")
	}
	if set.Every != "" {
		w.WriteString("every = " + quote(set.Every) + "\n")
	}
	if set.Paused {
		w.WriteString("paused = true\n")
	}
	if len(others) > 0 {
		w.WriteString("[contact.dates]\n")
		for _, o := range others {
			w.WriteString(key(o.Name) + " = " + date(o) + "\n")
		}
	}
	w.WriteByte('\n')
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
