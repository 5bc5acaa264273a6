package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/rekindle/rekindle/internal/terminal"
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
	// charset is that of the lines that name none; "" is UTF-8.
	charset string
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
		decoded, err := decodeLine(p.text, v.charset)
		if err != nil {
			return Person{}, &SyntaxError{p.line, fmt.Sprintf("%s: %v", name, err)}
		}
		text.WriteString(typeParams(decoded))
		text.WriteString("\r\n")
	}
	text.WriteString("END:VCARD\r\n")
	card, err := vcard.NewDecoder(&text).Decode()
	if err != nil {
		return Person{}, &SyntaxError{begin.line, err.Error()}
	}
	return v.person(card, begin.line, lines), nil
}

// decodeLine gives a property line as UTF-8 text for go-vcard: a
// quoted-printable value decoded (vCard 2.1), then its bytes read in the
// CHARSET the line declares, else as UTF-8 (vCard 3.0 and 4.0 are UTF-8 by
// definition). A byte that is not a character of that set is an error:
// written as U+FFFD, it would end up in a name and an id.
func decodeLine(line, fileCharset string) (string, error) {
	head, value, _ := strings.Cut(line, ":")
	if !utf8.ValidString(head) {
		return "", errors.New("the property's name or parameters hold bytes that are not UTF-8")
	}
	charset, qp := fileCharset, false
	if !strings.Contains(head, `"`) {
		params := strings.Split(head, ";")
		kept := params[:1]
		for _, prm := range params[1:] {
			k, v, eq := strings.Cut(prm, "=")
			switch {
			case eq && strings.EqualFold(k, "CHARSET"):
				charset = v
				continue
			case eq && strings.EqualFold(k, "ENCODING") && strings.EqualFold(v, "QUOTED-PRINTABLE"),
				!eq && strings.EqualFold(k, "QUOTED-PRINTABLE"):
				qp = true
				continue
			}
			kept = append(kept, prm)
		}
		head = strings.Join(kept, ";")
	}
	raw := []byte(value)
	if qp {
		var err error
		raw, err = io.ReadAll(quotedprintable.NewReader(strings.NewReader(value)))
		if err != nil {
			return "", fmt.Errorf("the quoted-printable value cannot be read (%v)", err)
		}
	}
	text, err := decodeCharset(charset, raw)
	if err != nil {
		return "", err
	}
	if qp {
		// A decoded value may hold line breaks, which a property line
		// writes as \n.
		text = strings.NewReplacer("\r\n", `\n`, "\r", `\n`, "\n", `\n`).Replace(text)
	}
	return head + ":" + text, nil
}

// decodeCharset reads raw in the named character set, UTF-8 when none is
// named.
func decodeCharset(charset string, raw []byte) (string, error) {
	name := strings.Trim(charset, `"' `)
	if name == "" || isUTF8(name) {
		if utf8.Valid(raw) {
			return string(raw), nil
		}
		bad := raw[firstInvalid(raw):]
		if name == "" {
			return "", fmt.Errorf("byte 0x%02X is not UTF-8, and the line names no CHARSET; "+
				"if the file was written as Latin-1 or Windows-1252, import it with --charset ISO-8859-1 "+
				"or --charset windows-1252", bad[0])
		}
		return "", fmt.Errorf("byte 0x%02X is not UTF-8, the character set the line names", bad[0])
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return "", fmt.Errorf("CHARSET=%s is not a character set rekindle reads (it reads UTF-8, ISO-8859-1, ISO-8859-15, "+
			"Windows-1252 and the other IANA names); convert the file to UTF-8 first", charset)
	}
	text, err := enc.NewDecoder().Bytes(raw)
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return "", fmt.Errorf("the value holds bytes that are not characters of %s", name)
	}
	return string(text), nil
}

// firstInvalid is the offset of the first byte of b that is not UTF-8.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
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
	// decodeLine has decoded quoted-printable values and character sets.
	value := func(f *vcard.Field) string { return f.Value }
	if f := card.Preferred(vcard.FieldFormattedName); f != nil {
		p.setName(lineOf(vcard.FieldFormattedName, 0), value(f))
	}
	// What you call them: the nickname, else the given name of N.
	if f := card.Get(vcard.FieldNickname); f != nil && strings.TrimSpace(f.Value) != "" {
		nick, _, _ := strings.Cut(f.Value, ",")
		p.setCalled(lineOf(vcard.FieldNickname, 0), nick)
	} else if f := card.Get(vcard.FieldName); f != nil {
		given := strings.Split(f.Value, ";")
		if len(given) > 1 {
			given, _, _ := strings.Cut(given[1], ",")
			p.setCalled(lineOf(vcard.FieldName, 0), given)
		}
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
	// Apple's and Google's cards mark a company's card with
	// X-ABShowAs:COMPANY, vCard 4 with KIND:org; a group is a card too.
	for _, k := range []struct{ prop, value, what string }{
		{"X-ABSHOWAS", "COMPANY", "a company's card (X-ABShowAs:COMPANY)"},
		{vcard.FieldKind, "org", "an organisation's card (KIND:org)"},
		{vcard.FieldKind, "group", "a group (KIND:group)"},
		{"X-ADDRESSBOOKSERVER-KIND", "group", "a group (X-ADDRESSBOOKSERVER-KIND:group)"},
	} {
		for _, f := range card[k.prop] {
			if strings.EqualFold(strings.TrimSpace(f.Value), k.value) && p.NotAPerson == "" {
				p.NotAPerson = k.what
			}
		}
	}
	for i, f := range card[vcard.FieldEmail] {
		p.add(lineOf(vcard.FieldEmail, i), true, value(f))
	}
	for i, f := range card[vcard.FieldTelephone] {
		// A fax or a pager is not a number to reach the person on.
		if f.Params.HasType("fax") || f.Params.HasType("pager") {
			what := "a fax"
			if f.Params.HasType("pager") {
				what = "a pager"
			}
			p.Notes = append(p.Notes, Note{lineOf(vcard.FieldTelephone, i), fmt.Sprintf("%q is %s number; left out", value(f), what)})
			continue
		}
		p.add(lineOf(vcard.FieldTelephone, i), false, value(f))
	}
	for _, d := range []struct{ prop, name string }{
		{vcard.FieldBirthday, rules.Birthday},
		{vcard.FieldAnniversary, "anniversary"},
		{"X-ANNIVERSARY", "anniversary"},
		{"X-MS-ANNIVERSARY", "anniversary"},
		{"X-EVOLUTION-ANNIVERSARY", "anniversary"},
	} {
		for i, f := range card[d.prop] {
			// Apple writes a birthday without a year as 1604-MM-DD with
			// X-APPLE-OMIT-YEAR=1604.
			omit, _ := strconv.Atoi(f.Params.Get("X-APPLE-OMIT-YEAR"))
			p.addDate(lineOf(d.prop, i), d.name, value(f), omit, v.now)
		}
	}
	// Apple and Google write the other dates as itemN.X-ABDATE, named by
	// the itemN.X-ABLabel of the same group: a built-in label as
	// _$!<Anniversary>!$_, the user's own as written.
	labels := map[string]string{}
	for _, f := range card["X-ABLABEL"] {
		if f.Group != "" {
			labels[strings.ToLower(f.Group)] = f.Value
		}
	}
	for i, f := range card["X-ABDATE"] {
		line := lineOf("X-ABDATE", i)
		name := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(labels[strings.ToLower(f.Group)], "_$!<"), ">!$_")))
		if name == "" {
			name = "other"
		}
		if strings.IndexFunc(name, terminal.Hidden) >= 0 {
			p.Notes = append(p.Notes, Note{line, fmt.Sprintf("the occasion %q holds control characters or direction overrides; left out", name)})
			continue
		}
		omit, _ := strconv.Atoi(f.Params.Get("X-APPLE-OMIT-YEAR"))
		p.addDate(line, name, value(f), omit, v.now)
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
