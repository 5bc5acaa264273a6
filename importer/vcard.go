package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/rekindle/rekindle/rules"
)

// vcardReader cuts a vCard file into cards itself, so that it knows the
// line where each card and each of its properties starts, and hands each
// card to go-vcard, which reads the properties (parameters, escapes, the
// parts of N).
type vcardReader struct {
	r      *bufio.Reader
	line   int // physical lines read
	peeked *physical
	now    time.Time
}

type physical struct {
	text string
	line int
}

func newVCard(r *bufio.Reader, now time.Time) *vcardReader {
	return &vcardReader{r: r, now: now}
}

// next returns the next physical line without its line end (CRLF or LF)
// and its number; the first loses a byte order mark.
func (v *vcardReader) next() (physical, error) {
	if p := v.peeked; p != nil {
		v.peeked = nil
		return *p, nil
	}
	s, err := v.r.ReadString('\n')
	if err != nil && (err != io.EOF || s == "") {
		return physical{}, err
	}
	v.line++
	if v.line == 1 {
		s = strings.TrimPrefix(s, string(bom))
	}
	return physical{strings.TrimRight(s, "\r\n"), v.line}, nil
}

// logical returns the next property line, unfolded: a line that starts
// with a space or a tab continues the one before it, and so does the line
// after a quoted-printable value that ends in '=' (vCard 2.1).
func (v *vcardReader) logical() (physical, error) {
	p, err := v.next()
	if err != nil {
		return p, err
	}
	var b strings.Builder
	b.WriteString(p.text)
	qp := isQuotedPrintable(p.text)
	for {
		n, err := v.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return p, err
		}
		switch {
		case n.text != "" && (n.text[0] == ' ' || n.text[0] == '\t'):
			b.WriteString(n.text[1:])
			continue
		case qp && strings.HasSuffix(b.String(), "="):
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-1])
			b.WriteString(n.text)
			continue
		}
		v.peeked = &n
		break
	}
	p.text = b.String()
	return p, nil
}

func isQuotedPrintable(line string) bool {
	head, _, _ := strings.Cut(line, ":")
	return strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
}

// Next reads one card.
func (v *vcardReader) Next() (Person, error) {
	var begin physical
	for {
		p, err := v.logical()
		if err != nil {
			return Person{}, err // io.EOF after the last card
		}
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		if !strings.EqualFold(strings.TrimSpace(p.text), "BEGIN:VCARD") {
			return Person{}, &SyntaxError{p.line, fmt.Sprintf("expected BEGIN:VCARD, found %q", clip(p.text))}
		}
		begin = p
		break
	}
	var text bytes.Buffer
	text.WriteString("BEGIN:VCARD\r\n")
	lines := map[string][]int{} // property name → the line of each
	for {
		p, err := v.logical()
		if err == io.EOF {
			return Person{}, &SyntaxError{begin.line, "the card that starts here has no END:VCARD"}
		}
		if err != nil {
			return Person{}, err
		}
		t := strings.TrimSpace(p.text)
		if t == "" {
			continue
		}
		if strings.EqualFold(t, "END:VCARD") {
			break
		}
		if strings.EqualFold(t, "BEGIN:VCARD") {
			return Person{}, &SyntaxError{p.line, fmt.Sprintf("a card begins inside the card of line %d, which has no END:VCARD", begin.line)}
		}
		name, ok := propertyName(p.text)
		if !ok {
			return Person{}, &SyntaxError{p.line, fmt.Sprintf("not a vCard property (NAME:value): %q", clip(p.text))}
		}
		lines[name] = append(lines[name], p.line)
		text.WriteString(typeParams(p.text))
		text.WriteString("\r\n")
	}
	text.WriteString("END:VCARD\r\n")
	card, err := vcard.NewDecoder(&text).Decode()
	if err != nil {
		return Person{}, &SyntaxError{begin.line, err.Error()}
	}
	return v.person(card, begin.line, lines), nil
}

// typeParams writes vCard 2.1's bare parameters (TEL;CELL;PREF:...) as
// the TYPE= parameters of later versions, which go-vcard reads.
func typeParams(line string) string {
	head, value, ok := strings.Cut(line, ":")
	if !ok || !strings.Contains(head, ";") || strings.Contains(head, `"`) {
		return line
	}
	parts := strings.Split(head, ";")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" && !strings.Contains(parts[i], "=") {
			parts[i] = "TYPE=" + parts[i]
		}
	}
	return strings.Join(parts, ";") + ":" + value
}

// propertyName is the upper-case name of a property line, without its
// group (item1.EMAIL is EMAIL).
func propertyName(line string) (string, bool) {
	end := strings.IndexAny(line, ";:")
	if end <= 0 || !strings.Contains(line, ":") {
		return "", false
	}
	name := line[:end]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(name), name != ""
}

func (v *vcardReader) person(card vcard.Card, line int, lines map[string][]int) Person {
	p := Person{Line: line}
	// lineOf finds the line of the i-th property of a name.
	lineOf := func(name string, i int) int {
		if l := lines[name]; i < len(l) && len(l) == len(card[name]) {
			return l[i]
		}
		return line
	}
	value := func(f *vcard.Field) string {
		if !strings.EqualFold(f.Params.Get("ENCODING"), "QUOTED-PRINTABLE") {
			return f.Value
		}
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(f.Value)))
		if err != nil {
			return f.Value
		}
		return string(b)
	}
	if f := card.Preferred(vcard.FieldFormattedName); f != nil {
		p.setName(lineOf(vcard.FieldFormattedName, 0), value(f))
	}
	if p.Name == "" {
		if f := card.Get(vcard.FieldName); f != nil {
			parts := strings.Split(value(f), ";")
			get := func(i int) string {
				if i < len(parts) {
					return strings.TrimSpace(parts[i])
				}
				return ""
			}
			// N is family;given;additional;prefix;suffix.
			p.setName(lineOf(vcard.FieldName, 0), get(1)+" "+get(2)+" "+get(0))
		}
	}
	for i, f := range card[vcard.FieldEmail] {
		p.add(lineOf(vcard.FieldEmail, i), true, value(f))
	}
	for i, f := range card[vcard.FieldTelephone] {
		p.add(lineOf(vcard.FieldTelephone, i), false, value(f))
	}
	for _, d := range []struct{ prop, name string }{
		{vcard.FieldBirthday, rules.Birthday},
		{vcard.FieldAnniversary, "anniversary"},
		{"X-ANNIVERSARY", "anniversary"},
	} {
		for i, f := range card[d.prop] {
			// Apple writes a birthday without a year as 1604-MM-DD with
			// X-APPLE-OMIT-YEAR=1604.
			omit, _ := strconv.Atoi(f.Params.Get("X-APPLE-OMIT-YEAR"))
			p.addDate(lineOf(d.prop, i), d.name, value(f), omit, v.now)
		}
	}
	return p
}

// clip shortens a line for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
