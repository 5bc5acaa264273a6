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
// line where each card and each of its properties starts, and reads each
// property once, in one pass: it unfolds the line, decodes its
// quoted-printable value and character set, and parses it as go-vcard
// would (group, name, parameters, escapes), keeping only the properties
// that person reads. A card with what that pass does not read as go-vcard
// does (a quoted parameter, a value that decodes to a line break) is
// handed whole to go-vcard's decoder, as every card was before; the golden
// test holds the two to the same output.
type vcardReader struct {
	r    *bufio.Reader
	line int // physical lines read
	now  importDay
	// charset is that of the lines that name none; "" is UTF-8.
	charset string
	// buf holds the logical line being read; text the card as go-vcard
	// reads it (decoded, TYPE= for vCard 2.1's bare parameters), both
	// kept from card to card.
	buf   []byte
	text  bytes.Buffer
	card  vcard.Card
	lines map[string][]int // property name → the line of each, of the card being read
	// keys and values: the parameters' names and values read so far.
	keys, values map[string]string
}

func newVCard(r *bufio.Reader, now time.Time) *vcardReader {
	return &vcardReader{r: r, now: newImportDay(now), card: vcard.Card{}, lines: map[string][]int{}, keys: map[string]string{}, values: map[string]string{}}
}

// physical appends the next physical line to dst, without its line end
// (CRLF or LF); the first loses a byte order mark. io.EOF when there is
// none.
func (v *vcardReader) physical(dst []byte) ([]byte, error) {
	start := len(dst)
	for {
		chunk, err := v.r.ReadSlice('\n')
		dst = append(dst, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || len(dst) == start) {
			return dst, err
		}
		break
	}
	v.line++
	if v.line == 1 && bytes.HasPrefix(dst[start:], bom) {
		dst = append(dst[:start], dst[start+len(bom):]...)
	}
	for len(dst) > start && (dst[len(dst)-1] == '\n' || dst[len(dst)-1] == '\r') {
		dst = dst[:len(dst)-1]
	}
	return dst, nil
}

// logical reads the next property line into v.buf, unfolded: a line that
// starts with a space or a tab continues the one before it, and so does
// the line after a quoted-printable value that ends in '=' (vCard 2.1). It
// returns the line where it starts.
func (v *vcardReader) logical() (int, error) {
	var err error
	if v.buf, err = v.physical(v.buf[:0]); err != nil {
		return 0, err
	}
	line := v.line
	qp := isQuotedPrintable(v.buf)
	for {
		next, err := v.r.Peek(1)
		if err == io.EOF {
			break
		}
		if err != nil {
			return line, err
		}
		switch {
		case next[0] == ' ' || next[0] == '\t':
			n := len(v.buf)
			if v.buf, err = v.physical(v.buf); err != nil {
				return line, err
			}
			v.buf = append(v.buf[:n], v.buf[n+1:]...)
			continue
		case qp && len(v.buf) > 0 && v.buf[len(v.buf)-1] == '=':
			if v.buf, err = v.physical(v.buf[:len(v.buf)-1]); err != nil {
				return line, err
			}
			continue
		}
		break
	}
	return line, nil
}

func isQuotedPrintable(line []byte) bool {
	head, _, _ := bytes.Cut(line, []byte(":"))
	for _, c := range head {
		if c >= utf8.RuneSelf {
			// ToUpper of a non-ASCII letter may be ASCII (ı is I).
			return bytes.Contains(bytes.ToUpper(head), []byte("QUOTED-PRINTABLE"))
		}
	}
	const qp = "QUOTED-PRINTABLE"
	for i := 0; i+len(qp) <= len(head); i++ {
		if bytes.EqualFold(head[i:i+len(qp)], []byte(qp)) {
			return true
		}
	}
	return false
}

// Next reads one card.
func (v *vcardReader) Next() (Person, error) {
	var begin int
	for {
		line, err := v.logical()
		if err != nil {
			return Person{}, err // io.EOF after the last card
		}
		t := bytes.TrimSpace(v.buf)
		if len(t) == 0 {
			continue
		}
		if !bytes.EqualFold(t, []byte("BEGIN:VCARD")) {
			return Person{}, &SyntaxError{line, fmt.Sprintf("expected BEGIN:VCARD, found %q", clip(string(v.buf)))}
		}
		begin = line
		break
	}
	// The buffers are kept from card to card, but not those a card with a
	// photo of megabytes grew.
	if v.text.Cap() > 1<<20 {
		v.text = bytes.Buffer{}
	}
	if cap(v.buf) > 1<<20 {
		v.buf = nil
	}
	v.text.Reset()
	v.text.WriteString("BEGIN:VCARD\r\n")
	clear(v.card)
	for name, l := range v.lines {
		v.lines[name] = l[:0]
	}
	// whole: the card goes to go-vcard's decoder; ended: go-vcard stops
	// at an END property (x.END:VCARD) before END:VCARD, or fails at one
	// that ends no vCard.
	var whole, ended bool
	var endErr error
	for {
		line, err := v.logical()
		if err == io.EOF {
			return Person{}, &SyntaxError{begin, "the card that starts here has no END:VCARD"}
		}
		if err != nil {
			return Person{}, err
		}
		t := bytes.TrimSpace(v.buf)
		if len(t) == 0 {
			continue
		}
		if bytes.EqualFold(t, []byte("END:VCARD")) {
			break
		}
		if bytes.EqualFold(t, []byte("BEGIN:VCARD")) {
			return Person{}, &SyntaxError{line, fmt.Sprintf("a card begins inside the card of line %d, which has no END:VCARD", begin)}
		}
		name, ok := propertyName(v.buf)
		if !ok {
			return Person{}, &SyntaxError{line, fmt.Sprintf("not a vCard property (NAME:value): %q", clip(string(v.buf)))}
		}
		if name != "" {
			v.lines[name] = append(v.lines[name], line)
		}
		start := v.text.Len()
		quoted, err := v.decodeLine(v.buf)
		if err != nil {
			if name == "" {
				name, _ = propertyNameAny(v.buf)
			}
			return Person{}, &SyntaxError{line, fmt.Sprintf("%s: %v", name, err)}
		}
		decoded := v.text.Bytes()[start:]
		if quoted || bytes.IndexByte(decoded, '\r') >= 0 || bytes.IndexByte(decoded, '\n') >= 0 {
			whole = true
		}
		if !whole && !ended {
			ended, endErr = v.parseProperty(decoded)
			if endErr == errWhole {
				whole, ended, endErr = true, false, nil
			}
		}
		v.text.WriteString("\r\n")
	}
	if whole {
		v.text.WriteString("END:VCARD\r\n")
		card, err := vcard.NewDecoder(&v.text).Decode()
		if err != nil {
			return Person{}, &SyntaxError{begin, err.Error()}
		}
		return v.person(card, begin, v.lines), nil
	}
	if endErr != nil {
		return Person{}, &SyntaxError{begin, endErr.Error()}
	}
	return v.person(v.card, begin, v.lines), nil
}

// people are the properties person reads, by their upper-case names.
var people = map[string]bool{
	vcard.FieldFormattedName: true, vcard.FieldNickname: true, vcard.FieldName: true,
	"X-ABSHOWAS": true, vcard.FieldKind: true, "X-ADDRESSBOOKSERVER-KIND": true,
	vcard.FieldEmail: true, vcard.FieldTelephone: true,
	vcard.FieldBirthday: true, vcard.FieldAnniversary: true, "X-ANNIVERSARY": true, "X-MS-ANNIVERSARY": true, "X-EVOLUTION-ANNIVERSARY": true,
	"X-ABLABEL": true, "X-ABDATE": true,
}

// upper is strings.ToUpper(string(b)) among the names of people and END,
// without a copy for the others: "" for a name person does not read.
func upper(b []byte) string {
	var tmp [64]byte
	if len(b) > len(tmp) {
		return ""
	}
	for i, c := range b {
		switch {
		case c >= utf8.RuneSelf:
			// ToUpper of a non-ASCII letter may be ASCII (ſ is S).
			if u := strings.ToUpper(string(b)); people[u] || u == "END" {
				return u
			}
			return ""
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		tmp[i] = c
	}
	return canonical(tmp[:len(b)])
}

// canonical is the name of people (or END) that u spells, without a copy.
func canonical(u []byte) string {
	switch string(u) {
	case vcard.FieldFormattedName:
		return vcard.FieldFormattedName
	case vcard.FieldNickname:
		return vcard.FieldNickname
	case vcard.FieldName:
		return vcard.FieldName
	case "X-ABSHOWAS":
		return "X-ABSHOWAS"
	case vcard.FieldKind:
		return vcard.FieldKind
	case "X-ADDRESSBOOKSERVER-KIND":
		return "X-ADDRESSBOOKSERVER-KIND"
	case vcard.FieldEmail:
		return vcard.FieldEmail
	case vcard.FieldTelephone:
		return vcard.FieldTelephone
	case vcard.FieldBirthday:
		return vcard.FieldBirthday
	case vcard.FieldAnniversary:
		return vcard.FieldAnniversary
	case "X-ANNIVERSARY":
		return "X-ANNIVERSARY"
	case "X-MS-ANNIVERSARY":
		return "X-MS-ANNIVERSARY"
	case "X-EVOLUTION-ANNIVERSARY":
		return "X-EVOLUTION-ANNIVERSARY"
	case "X-ABLABEL":
		return "X-ABLABEL"
	case "X-ABDATE":
		return "X-ABDATE"
	case "END":
		return "END"
	}
	return ""
}

// errWhole is a line that parseProperty leaves to go-vcard's decoder.
var errWhole = errors.New("a quoted parameter")

// parseProperty reads a decoded property line as go-vcard's decoder does
// (the group up to a '.' before any ';' or ':', the upper-case name, the
// parameters, the value with its escapes) into card when person reads
// it. It tells when go-vcard would stop at the line: an END property, an
// error when its value is not VCARD. The line has no quoted parameter.
func (v *vcardReader) parseProperty(line []byte) (end bool, err error) {
	var group []byte
	if i := indexAny(line, '.', ';', ':'); i >= 0 && line[i] == '.' {
		group, line = line[:i], line[i+1:]
	}
	i := indexAny(line, ';', ':', ':')
	if i < 0 {
		return false, nil // go-vcard skips it
	}
	key := upper(line[:i])
	if key == "" {
		return false, nil
	}
	hasParams := line[i] == ';'
	line = line[i+1:]
	// Only the parameters person reads are kept: the preference of FN,
	// the TYPE of TEL, Apple's X-APPLE-OMIT-YEAR of a date.
	keep := false
	switch key {
	case vcard.FieldFormattedName, vcard.FieldTelephone, vcard.FieldBirthday, vcard.FieldAnniversary,
		"X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "X-ABDATE":
		keep = true
	}
	var params vcard.Params
	if hasParams {
		if keep {
			params = vcard.Params{}
		}
		for len(line) > 0 {
			i := indexAny(line, '=', ';', ':')
			if i < 0 {
				return false, nil // go-vcard skips it
			}
			if line[i] == ';' {
				line = line[i+1:]
				continue
			}
			k := line[:i]
			rest := line[i+1:]
			var values []string
			more := false
			if len(rest) > 0 && rest[0] == '"' {
				return false, errWhole // a quoted value after all (FN;:"...)
			}
			if len(rest) > 0 {
				vs := rest
				if j := indexAny(rest, ';', ':', ':'); j >= 0 {
					vs, more, rest = rest[:j], rest[j] != ':', rest[j+1:]
				} else {
					rest = nil
				}
				if keep {
					for val := range bytes.SplitSeq(vs, []byte(",")) {
						values = append(values, v.internValue(val))
					}
				}
			}
			line = rest
			if keep {
				pk := v.intern(k, true)
				params[pk] = append(params[pk], values...)
			}
			if !more {
				break
			}
		}
	}
	value := unescape(line)
	if key == "END" {
		if strings.ToUpper(value) != "VCARD" {
			return true, errors.New("vcard: invalid END value")
		}
		return true, nil
	}
	v.card[key] = append(v.card[key], &vcard.Field{Value: value, Params: params, Group: string(group)})
	return false, nil
}

// internValue is unescape(b), the same string for the same parameter
// value (TYPE=CELL on every card).
func (v *vcardReader) internValue(b []byte) string {
	if bytes.IndexByte(b, '\\') >= 0 {
		return unescape(b)
	}
	return v.intern(b, false)
}

// intern gives b as a string (upper-case for a parameter's name, as
// go-vcard's strings.ToUpper), one string for the same bytes; it holds a
// few hundred.
func (v *vcardReader) intern(b []byte, up bool) string {
	m := v.values
	if up {
		m = v.keys
	}
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	if up {
		s = strings.ToUpper(s)
	}
	if len(m) < 512 {
		m[string(b)] = s
	}
	return s
}

// unescape reads a value's escapes as go-vcard does: \\, \n and \, and
// no other.
func unescape(b []byte) string {
	i := bytes.IndexByte(b, '\\')
	if i < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for ; i >= 0; i = bytes.IndexByte(b, '\\') {
		out = append(out, b[:i]...)
		b = b[i:]
		switch {
		case len(b) > 1 && b[1] == '\\':
			out = append(out, '\\')
			b = b[2:]
		case len(b) > 1 && b[1] == 'n':
			out = append(out, '\n')
			b = b[2:]
		case len(b) > 1 && b[1] == ',':
			out = append(out, ',')
			b = b[2:]
		default:
			out = append(out, '\\')
			b = b[1:]
		}
	}
	return string(append(out, b...))
}

// decodeLine writes a property line to v.text as UTF-8 text for go-vcard,
// and says whether its parameters hold a quote: a quoted-printable value
// decoded (vCard 2.1), then its bytes read in the CHARSET the line
// declares, else as UTF-8 (vCard 3.0 and 4.0 are UTF-8 by definition); the
// bare parameters of vCard 2.1 (TEL;CELL;PREF:...) written as the TYPE=
// parameters of later versions, which go-vcard reads. A byte that is not a
// character of that set is an error: written as U+FFFD, it would end up in
// a name and an id.
func (v *vcardReader) decodeLine(line []byte) (quoted bool, err error) {
	head, value, _ := bytes.Cut(line, []byte(":"))
	if !utf8.Valid(head) {
		return false, errors.New("the property's name or parameters hold bytes that are not UTF-8")
	}
	if bytes.IndexByte(head, '"') >= 0 {
		s, err := decodeLine(string(line), v.charset)
		if err != nil {
			return true, err
		}
		v.text.WriteString(typeParams(s))
		return true, nil
	}
	charset, qp := v.charset, false
	name, params, hasParams := bytes.Cut(head, []byte(";"))
	v.text.Write(name)
	for prm := range bytes.SplitSeq(params, []byte(";")) {
		if !hasParams {
			break
		}
		k, val, eq := bytes.Cut(prm, []byte("="))
		switch {
		case eq && bytes.EqualFold(k, []byte("CHARSET")):
			charset = string(val)
			continue
		case eq && bytes.EqualFold(k, []byte("ENCODING")) && bytes.EqualFold(val, []byte("QUOTED-PRINTABLE")),
			!eq && bytes.EqualFold(k, []byte("QUOTED-PRINTABLE")):
			qp = true
			continue
		}
		v.text.WriteByte(';')
		if len(prm) > 0 && !eq {
			v.text.WriteString("TYPE=")
		}
		v.text.Write(prm)
	}
	v.text.WriteByte(':')
	if name := strings.Trim(charset, `"' `); !qp && (name == "" || isUTF8(name)) && utf8.Valid(value) {
		v.text.Write(value)
		return false, nil
	}
	raw := value
	if qp {
		var err error
		raw, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(value)))
		if err != nil {
			return false, fmt.Errorf("the quoted-printable value cannot be read (%v)", err)
		}
	}
	text, err := decodeCharset(charset, raw)
	if err != nil {
		return false, err
	}
	if qp {
		// A decoded value may hold line breaks, which a property line
		// writes as \n.
		text = strings.NewReplacer("\r\n", `\n`, "\r", `\n`, "\n", `\n`).Replace(text)
	}
	v.text.WriteString(text)
	return false, nil
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
// group (item1.EMAIL is EMAIL), when it is one that person reads; "" with
// ok for another property, ok false for a line that is not a property.
func propertyName(line []byte) (string, bool) {
	end := indexAny(line, ';', ':', ':')
	if end <= 0 || bytes.IndexByte(line, ':') < 0 {
		return "", false
	}
	name := line[:end]
	if i := bytes.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if len(name) == 0 {
		return "", false
	}
	if u := upper(name); u != "END" {
		return u, true
	}
	return "", true
}

// propertyNameAny is the upper-case name of any property line, for a
// message.
func propertyNameAny(line []byte) (string, bool) {
	end := indexAny(line, ';', ':', ':')
	name := line[:end]
	if i := bytes.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(string(name)), true
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
		if terminal.HasHidden(name) {
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

// indexAny is bytes.IndexAny for three bytes, without building a set each
// time (it was a tenth of reading a card).
func indexAny(b []byte, c1, c2, c3 byte) int {
	for i, c := range b {
		if c == c1 || c == c2 || c == c3 {
			return i
		}
	}
	return -1
}
