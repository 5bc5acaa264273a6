package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestCharsets reads the character sets vCard 2.1 exports declare (old
// phones, Outlook, Nokia PC Suite), with and without quoted-printable: the
// names arrive as the address book holds them, never with U+FFFD.
func TestCharsets(t *testing.T) {
	card := func(lines ...string) string {
		return "BEGIN:VCARD\r\nVERSION:2.1\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCARD\r\n"
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"latin-1 quoted-printable", card("N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg;;;",
			"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=F6rg M=FCller"), "Jörg Müller"},
		{"latin-1 bare parameters", card("FN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:Ren=E9e Fran=E7ois"), "Renée François"},
		{"latin-1 quoted-printable folded", card("FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=F6rg Maximilian =", "M=FCller"), "Jörg Maximilian Müller"},
		{"latin-1 raw bytes", card("FN;CHARSET=ISO-8859-1:J\xf6rg M\xfcller"), "Jörg Müller"},
		{"latin-9 raw bytes", card("FN;CHARSET=ISO-8859-15:\xa6imon Zo\xeb \xa4"), "Šimon Zoë €"},
		{"windows-1252 quoted-printable", card("N;CHARSET=WINDOWS-1252;ENCODING=QUOTED-PRINTABLE:O=92Brien;Se=E1n;;;"), "Seán O’Brien"},
		{"windows-1252 raw", card("FN;CHARSET=windows-1252:Se\xe1n O\x92Brien"), "Seán O’Brien"},
		{"utf-8 quoted-printable", card("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller"), "Jörg Müller"},
		{"utf-8 without charset", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jörg Müller\r\nEND:VCARD\r\n", "Jörg Müller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people, err := readAll(t, tc.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(people) != 1 || people[0].Name != tc.want {
				t.Fatalf("got %+v, want the name %q", people, tc.want)
			}
			if len(people[0].Notes) > 0 {
				t.Errorf("notes: %v", people[0].Notes)
			}
		})
	}
}

// TestCharsetErrors: bytes that are not characters of the declared or
// assumed character set stop the import at their line.
func TestCharsetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		says      string
	}{
		{"raw latin-1 in a vCard 3.0", "BEGIN:VCARD\nVERSION:3.0\nN:M\xfcller;J\xf6rg;;;\nFN:J\xf6rg M\xfcller\nEND:VCARD\n", 3, "--charset ISO-8859-1"},
		{"latin-1 declared as UTF-8", "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=F6rg\nEND:VCARD\n", 3, "0xF6"},
		{"undefined windows-1252 byte", "BEGIN:VCARD\nVERSION:2.1\nEMAIL:a@example.org\nFN;CHARSET=windows-1252:Bad \x81 Byte\nEND:VCARD\n", 4, "windows-1252"},
		{"unknown charset", "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=X-MADE-UP:Ana\nEND:VCARD\n", 3, "X-MADE-UP"},
		{"windows-1252 CSV (Outlook)", "First Name,Last Name,E-mail Address\r\nAna,Lima,ana@example.org\r\nJ\xf6rg,M\xfcller,jm@example.org\r\n", 3, "Windows-1252"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people, err := readAll(t, tc.src, nil)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("no error at a line: %v, people %+v", err, people)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.says) {
				t.Errorf("got %v, want line %d saying %q", se, tc.line, tc.says)
			}
			for _, p := range people {
				if strings.ContainsRune(p.Name, '\uFFFD') {
					t.Errorf("a name with U+FFFD: %q", p.Name)
				}
			}
		})
	}
}

// TestCharsetOption: import --charset reads a file written in another
// set than UTF-8: Outlook's CSV in Windows-1252, a vCard 3.0 in Latin-1
// (whose lines that name their own CHARSET keep it).
func TestCharsetOption(t *testing.T) {
	read := func(src, charset string) ([]Person, error) {
		r, err := Open(strings.NewReader(src), Options{Now: today, Charset: charset})
		if err != nil {
			return nil, err
		}
		var out []Person
		for {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return out, err
			}
			out = append(out, p)
		}
	}
	outlook := "\"First Name\",\"Last Name\",\"E-mail Address\"\r\n\"Se\xe1n\",\"O\x92Brien\",\"sean@example.ie\"\r\n"
	people, err := read(outlook, "windows-1252")
	if err != nil || len(people) != 1 || people[0].Name != "Seán O’Brien" || people[0].Called != "Seán" {
		t.Errorf("windows-1252 CSV: %+v, %v", people, err)
	}
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:M\xfcller;J\xf6rg;;;\r\nFN:J\xf6rg M\xfcller\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN;CHARSET=UTF-8:Zo\xc3\xab\r\nEND:VCARD\r\n"
	people, err = read(vcf, "ISO-8859-1")
	if err != nil || len(people) != 2 || people[0].Name != "Jörg Müller" || people[1].Name != "Zoë" {
		t.Errorf("Latin-1 vCard: %+v, %v", people, err)
	}
	_, err = read("Name,Email\r\nAna,ana@example.org\r\nBad \x81,b@example.org\r\n", "windows-1252")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 3 || !strings.Contains(se.Msg, "windows-1252") {
		t.Errorf("an undefined Windows-1252 byte: %v", err)
	}
	if _, err := read(outlook, "x-made-up"); err == nil || !strings.Contains(err.Error(), "--charset x-made-up") {
		t.Errorf("an unknown --charset: %v", err)
	}
}

// chunks reads s at most size bytes at a time, as a pipe or a slow disk
// may pass it.
type chunks struct {
	s    string
	size int
}

func (c *chunks) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.s)
	c.s = c.s[n:]
	return n, nil
}

// TestCSVNotUTF8AnyReads: a byte that is not UTF-8 is found on its line
// however the reads cut the file, in a character of two, three or four
// bytes, and at its end; a file of such characters, whole, reads.
func TestCSVNotUTF8AnyReads(t *testing.T) {
	head := "Name,Email\n"
	good := "Zoë 山田 🎉,z@example.org\n"
	for _, tc := range []struct {
		name, row string
		line      int
	}{
		{"a lone continuation byte", "Ana \x80,a@example.org\n", 3},
		{"a cut two-byte character", "Ana \xc3,a@example.org\n", 3},
		{"a cut three-byte character", "Ana \xe5\xb1,a@example.org\n", 3},
		{"a cut four-byte character", "Ana \xf0\x9f\x8e,a@example.org\n", 3},
		{"a byte that starts none", "Ana \xf8\x80\x80\x80,a@example.org\n", 3},
		{"at the end of the file", "Ana,a@example.org\xe5\xb1", 4},
		{"whole", "", 0},
	} {
		src := head + good + tc.row + good
		if !strings.HasSuffix(tc.row, "\n") {
			src = head + good + good + tc.row
		}
		for size := 1; size <= 40; size++ {
			r, err := newCSV(&chunks{src, size}, nil, today, "") // Open's own buffer would read it whole
			if err != nil {
				t.Fatal(err)
			}
			for err == nil {
				_, err = r.Next()
			}
			var se *SyntaxError
			switch {
			case tc.line == 0 && err != io.EOF:
				t.Errorf("%s, reads of %d: %v", tc.name, size, err)
			case tc.line != 0 && (!errors.As(err, &se) || se.Line != tc.line || !strings.Contains(se.Msg, "not UTF-8")):
				t.Errorf("%s, reads of %d: %v; want line %d: not UTF-8", tc.name, size, err, tc.line)
			}
		}
	}
}
