// Package importer reads the people of a contact export (vCard 3.0 or 4.0
// from a phone, Nextcloud or Apple; CSV from Google Contacts, Outlook or
// any table with a header row) and writes them as the config's
// [[contact]] tables. It streams: one person at a time, whatever the size
// of the file.
//
// A value rekindle cannot use (an address that is not one, a date that
// does not exist) is left out of that person with a note that names its
// line; input that is not vCard or CSV at all is an error with its line.
package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/terminal"
	"github.com/rekindle/rekindle/rules"
)

// Person is one contact of an export.
type Person struct {
	Line      int // where it starts in the file
	Name      string
	Called    string // what you call them: the nickname, else the given name
	Emails    []string
	Phones    []string
	Occasions []rules.Occasion // the birthday first, when known
	Notes     []Note           // what was left out, and why
	// NotAPerson says why the whole entry is left out (a company's
	// card, a group); "" for a person.
	NotAPerson string
}

// Note is a value left out of a person, with its line.
type Note struct {
	Line int
	Msg  string
}

func (n Note) String() string { return fmt.Sprintf("line %d: %s", n.Line, n.Msg) }

// Reader yields the people of a file one by one, and io.EOF after the last.
type Reader interface {
	Next() (Person, error)
}

// SyntaxError is input that cannot be read at all.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Options say how to read a file.
type Options struct {
	// Map names the CSV columns of each field; nil: recognise the headers
	// of Google's and Outlook's exports and the plain ones.
	Map Mapping
	// Now is today: a birthday after it is left out.
	Now time.Time
	// Charset is the character set of a file written in another than
	// UTF-8 (Outlook writes CSV in Windows-1252): for a vCard, that of
	// the lines that name no CHARSET. "" is UTF-8.
	Charset string
}

// Open reads r as vCard when it starts with BEGIN:VCARD (after a byte
// order mark and blank lines), else as CSV with a header row.
func Open(r io.Reader, o Options) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	first := strings.TrimSpace(string(bytes.TrimPrefix(head, bom)))
	if i := strings.IndexAny(first, "\r\n"); i >= 0 {
		first = first[:i]
	}
	var enc encoding.Encoding
	if o.Charset != "" && !isUTF8(o.Charset) {
		var err error
		if enc, err = ianaindex.IANA.Encoding(o.Charset); err != nil || enc == nil {
			return nil, fmt.Errorf("--charset %s is not a character set rekindle knows; name one such as windows-1252, ISO-8859-1 or ISO-8859-15", o.Charset)
		}
	}
	if strings.EqualFold(strings.TrimSpace(first), "BEGIN:VCARD") {
		if o.Map != nil {
			return nil, errors.New("--map is for CSV files; this is a vCard file")
		}
		v := newVCard(br, o.Now)
		v.charset = o.Charset
		return v, nil
	}
	if enc == nil {
		return newCSV(br, o.Map, o.Now, "")
	}
	return newCSV(transform.NewReader(br, enc.NewDecoder()), o.Map, o.Now, o.Charset)
}

func isUTF8(name string) bool {
	return strings.EqualFold(name, "UTF-8") || strings.EqualFold(name, "UTF8")
}

var bom = []byte("\uFEFF")

// add appends the values that are valid addresses or numbers, once each
// (ignoring case for addresses), and a note for each that is not.
func (p *Person) add(line int, email bool, values ...string) {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		list, valid, what := &p.Phones, config.ValidPhone, "a phone number"
		if email {
			v = strings.TrimPrefix(strings.TrimPrefix(v, "mailto:"), "MAILTO:")
			list, valid, what = &p.Emails, validEmail, "an email address"
		} else {
			v = strings.TrimPrefix(strings.TrimPrefix(v, "tel:"), "TEL:")
			// An extension stays with its number, in one form:
			// tel:+1-555-555-0100;ext=102, "ext. 89" and "x12" are
			// "NUMBER ext. DIGITS".
			if number, ext := config.SplitPhone(v); ext != "" {
				v = strings.TrimSpace(number) + " ext. " + ext
			}
		}
		// A plain address or number, as almost every one is, is
		// valid and has nothing hidden, known in one pass.
		if plain := email && plainEmail(v) || !email && config.PlainPhone(v); !plain {
			if terminal.HasHidden(v) {
				p.Notes = append(p.Notes, Note{line, fmt.Sprintf("%q holds control characters or direction overrides; left out", v)})
				continue
			}
			if !valid(v) {
				p.Notes = append(p.Notes, Note{line, fmt.Sprintf("%q is not %s rekindle takes; left out", v, what)})
				continue
			}
		}
		dup := false
		for _, have := range *list {
			if strings.EqualFold(have, v) {
				dup = true
			}
		}
		if !dup {
			*list = append(*list, v)
		}
	}
}

// setCalled sets what you call them, as setName sets the name; a value
// with control characters is left out.
func (p *Person) setCalled(line int, called string) {
	if tidy(called) {
		p.Called = called
		return
	}
	called = strings.Join(strings.Fields(called), " ")
	if terminal.HasHidden(called) {
		p.Notes = append(p.Notes, Note{line, fmt.Sprintf("the nickname or given name %q holds control characters or direction overrides; left out", called)})
		return
	}
	p.Called = called
}

// setName sets the name, without what could drive a terminal that shows
// it (escape sequences and other control characters, direction
// overrides), with a note when it had some: import never writes them into
// the config. Runs of spaces, tabs and line breaks become one space.
func (p *Person) setName(line int, name string) {
	if tidy(name) {
		p.Name = name
		return
	}
	clean := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if terminal.Hidden(r) {
			return -1
		}
		return r
	}, name)), " ")
	if clean != strings.Join(strings.Fields(name), " ") {
		p.Notes = append(p.Notes, Note{line, fmt.Sprintf("the name %q holds control characters or direction overrides; written without them", name)})
	}
	p.Name = clean
}

// tidy tells a name that setName and setCalled keep as it is: UTF-8,
// nothing Hidden, words apart by one space.
func tidy(s string) bool {
	space := true // at the start, a space would be one too many
	for _, r := range s {
		switch {
		case r == utf8.RuneError || terminal.Hidden(r):
			return false
		case unicode.IsSpace(r):
			if r != ' ' || space {
				return false
			}
			space = true
		default:
			space = false
		}
	}
	return !space || s == ""
}

// validEmail is config.ValidEmail, which parses the address as a mail
// header would, known true at once for the plain address almost every
// export holds: dot-separated words of letters, digits and ._%+- at a
// domain of dot-separated letters, digits and hyphens.
func validEmail(a string) bool {
	return plainEmail(a) || config.ValidEmail(a)
}

func plainEmail(a string) bool {
	at := strings.IndexByte(a, '@')
	return at > 0 && plainWords(a[:at], false) && plainWords(a[at+1:], true)
}

// plainWords tells dot-separated words of letters, digits and hyphens,
// and also _, % and + before the @ of an address.
func plainWords(s string, domain bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case !domain && (c == '_' || c == '%' || c == '+'):
		default:
			return false
		}
	}
	return true
}
