package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // TestImportDayAfter's zones where the system has none

	"github.com/BurntSushi/toml"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/terminal"
	"github.com/rekindle/rekindle/rules"
)

var today = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// readAll reads every person of src, or the error that stops the reading.
func readAll(t *testing.T, src string, m Mapping) ([]Person, error) {
	t.Helper()
	r, err := Open(strings.NewReader(src), Options{Map: m, Now: today})
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

// summary writes a person on one line, to compare.
func summary(p Person) string {
	var occ []string
	for _, o := range p.Occasions {
		occ = append(occ, o.Name+"="+o.String())
	}
	return fmt.Sprintf("%d|%s|%s|%s|%s", p.Line, p.Name, strings.Join(p.Emails, ","), strings.Join(p.Phones, ","), strings.Join(occ, ","))
}

func TestVCard(t *testing.T) {
	// A phone's export: a byte order mark, CRLF line ends, a folded line
	// (in the middle of a multi-byte character), vCard 3.0 and 4.0, names
	// with accents, CJK and emoji, N without FN, vCard 2.1 quoted-printable,
	// Apple's year-less birthday, and grouped properties.
	src := "\uFEFFBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nN:Lima;Ana;;;\r\n" +
		"EMAIL;TYPE=INTERNET,HOME:ana@example.org\r\nEMAIL;TYPE=WORK:Ana@Example.org\r\n" +
		"TEL;TYPE=CELL:+55 11 91234-5678\r\nBDAY:1990-04-12\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë 山\r\n 田 🎉\r\nEMAIL;PREF=1:zoe@example.org\r\n" +
		"TEL;VALUE=uri:tel:+81-3-1234-5678\r\nBDAY:--0229\r\nANNIVERSARY:20190601T000000Z\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:García Márquez;José;Luis;;\r\nitem1.EMAIL;type=INTERNET:jl@example.org\r\n" +
		"item1.X-ABLabel:_$!<Other>!$_\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-07-04\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Ren=C3=A9e M=C3=BC=\r\nller\r\n" +
		"TEL;CELL:030 1234567\r\nEND:VCARD\r\n"
	got, err := readAll(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1|Ana Lima|ana@example.org|+55 11 91234-5678|birthday=1990-04-12",
		"10|Zoë 山田 🎉|zoe@example.org|+81-3-1234-5678|birthday=--02-29,anniversary=2019-06-01",
		"19|José Luis García Márquez|jl@example.org||birthday=--07-04",
		"26|Renée Müller||030 1234567|",
	}
	if len(got) != len(want) {
		t.Fatalf("%d people; want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if s := summary(got[i]); s != want[i] {
			t.Errorf("person %d:\n got %s\nwant %s", i, s, want[i])
		}
		if len(got[i].Notes) != 0 {
			t.Errorf("person %d notes: %v", i, got[i].Notes)
		}
	}
}

// A value rekindle cannot use is left out with its line; the person stays.
func TestVCardBadValues(t *testing.T) {
	src := "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nEMAIL:not an address\nTEL:call me\nBDAY:1990-02-30\n" +
		"ANNIVERSARY:2099-01-01\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Cy\nBDAY:2099-05-05\nEND:VCARD\n" +
		"BEGIN:VCARD\nVERSION:3.0\nEMAIL:x@example.org\nEND:VCARD\n"
	got, err := readAll(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d people", len(got))
	}
	// A future anniversary is fine (a wedding to come); a future birthday
	// is not.
	if s := summary(got[0]); s != "1|Bo|||anniversary=2099-01-01" {
		t.Errorf("bo: %s", s)
	}
	notes := fmt.Sprint(got[0].Notes)
	for _, want := range []string{`line 4: "not an address" is not an email address`, `line 5: "call me" is not a phone number`, `line 6: birthday "1990-02-30" is not a date`} {
		if !strings.Contains(notes, want) {
			t.Errorf("missing %q in:\n%s", want, notes)
		}
	}
	if n := fmt.Sprint(got[1].Notes); !strings.Contains(n, "line 12: birthday 2099-05-05 is after today") {
		t.Errorf("cy: %v", got[1].Notes)
	}
	if got[2].Name != "" || got[2].Line != 14 || got[2].Emails[0] != "x@example.org" {
		t.Errorf("a card without a name is returned nameless, with its line: %+v", got[2])
	}
}

func TestVCardMalformed(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no END", "BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\n", "line 4: the card that starts here has no END:VCARD"},
		{"begin inside", "BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\n", "line 3: a card begins inside the card of line 1"},
		{"not a property", "BEGIN:VCARD\nFN:A\nthis is prose\nEND:VCARD\n", `line 3: not a vCard property (NAME:value): "this is prose"`},
		{"junk between cards", "BEGIN:VCARD\nFN:A\nEND:VCARD\nhello\n", `line 4: expected BEGIN:VCARD, found "hello"`},
	} {
		_, err := readAll(t, tc.src, nil)
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != tc.want && !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.want)
		}
	}
}

func TestCSVGoogle(t *testing.T) {
	src := "\uFEFFFirst Name,Middle Name,Last Name,Birthday,Notes,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Event 1 - Label,Event 1 - Value\r\n" +
		"Ana,,Lima,1990-04-12,\"likes \"\"tea\"\", cake\",* Home,ana@example.org ::: ana.lima@example.org,Mobile,+55 11 91234-5678,Anniversary,2019-06-01\r\n" +
		"Zoë,,山田 🎉,--02-29,\"two\r\nlines\",,,,,Moved,2025-09-15\r\n" +
		",,,,,,solo@example.org,,,,\r\n"
	got, err := readAll(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2|Ana Lima|ana@example.org,ana.lima@example.org|+55 11 91234-5678|birthday=1990-04-12,anniversary=2019-06-01",
		"3|Zoë 山田 🎉|||birthday=--02-29,moved=2025-09-15",
		"5||solo@example.org||",
	}
	if len(got) != len(want) {
		t.Fatalf("%d people: %v", len(got), got)
	}
	for i := range want {
		if s := summary(got[i]); s != want[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i, s, want[i])
		}
	}
}

func TestCSVOutlook(t *testing.T) {
	src := "First Name,Middle Name,Last Name,E-mail Address,E-mail Type,E-mail 2 Address,Mobile Phone,Home Phone,Birthday,Anniversary\n" +
		"Bo,,Berg,bo@example.org,SMTP,bo@work.example.org,+46 70 123 45 67,,4/12/1990,0/0/00\n" +
		"\"Smith, Jr.\",,,,,,,,13/40/1990,\n"
	got, err := readAll(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := summary(got[0]); s != "2|Bo Berg|bo@example.org,bo@work.example.org|+46 70 123 45 67|birthday=1990-04-12" {
		t.Errorf("bo: %s", s)
	}
	if s := summary(got[1]); s != "3|Smith, Jr.|||" || !strings.Contains(fmt.Sprint(got[1].Notes), `line 3: birthday "13/40/1990" is not a date`) {
		t.Errorf("smith: %s %v", s, got[1].Notes)
	}
}

func TestCSVMapping(t *testing.T) {
	src := "Full Name,Mail,Mail Work,Cell,Born\nAna Lima,ana@example.org,ana@work.example.org,+55 11 91234-5678,1990-04-12\n"
	m, err := ParseMapping([]string{"name=Full Name,email=Mail", "email=Mail Work", "phone=cell", "birthday=Born"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, src, m)
	if err != nil {
		t.Fatal(err)
	}
	if s := summary(got[0]); s != "2|Ana Lima|ana@example.org,ana@work.example.org|+55 11 91234-5678|birthday=1990-04-12" {
		t.Errorf("mapped: %s", s)
	}
	if _, err := ParseMapping([]string{"nmae=Full Name"}); err == nil || !strings.Contains(err.Error(), `no field "nmae"`) {
		t.Errorf("unknown field: %v", err)
	}
	m, _ = ParseMapping([]string{"name=Nom"})
	if _, err := readAll(t, src, m); err == nil || !strings.Contains(err.Error(), `no column "Nom" in the header row`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := readAll(t, "Mail,Cell\nx@example.org,123\n", nil); err == nil || !strings.Contains(err.Error(), "--map name=COLUMN") {
		t.Errorf("no name column: %v", err)
	}
}

func TestCSVMalformed(t *testing.T) {
	_, err := readAll(t, "Name,Email\nAna,ana@example.org\nBo,\"bo@example.org\nCy,cy@example.org\n", nil)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 4 || !strings.Contains(se.Msg, "starts on line 3") {
		t.Errorf("an unclosed quote: %v; want a syntax error on line 4, in the record of line 3", err)
	}
	_, err = readAll(t, "Name,Email\nAna,an\"a@example.org\n", nil)
	if !errors.As(err, &se) || se.Line != 2 {
		t.Errorf("a stray quote: %v; want line 2", err)
	}
}

// What Write prints is TOML that the config reads back as the same person.
func TestWriteReadsBack(t *testing.T) {
	got, err := readAll(t, "BEGIN:VCARD\nVERSION:4.0\nFN:Zoë \"Zo\" 山田 🎉\\nback\\\\slash\nEMAIL:zoe@example.org\nTEL:+81 3 1234 5678\n"+
		"BDAY:--0229\nANNIVERSARY:2019-06-01\nEND:VCARD\n", nil)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	p := got[0]
	p.Occasions = append(p.Occasions, p.Occasions[1])
	p.Occasions[2].Name = "moved to Lisbon"
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	Write(w, p, "zoe", Set{})
	w.Flush()
	cfg, err := config.Parse("out.toml", b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	c := cfg.Contacts[0]
	if c.Name != "Zoë \"Zo\" 山田 🎉 back\\slash" || c.ID != "zoe" || c.Emails[0] != "zoe@example.org" || c.Phones[0] != "+81 3 1234 5678" {
		t.Errorf("read back %+v", c)
	}
	var occ []string
	for _, o := range c.Dates.Occasions {
		occ = append(occ, o.Name+"="+o.String())
	}
	if strings.Join(occ, ",") != "birthday=--02-29,anniversary=2019-06-01,moved to Lisbon=2019-06-01" {
		t.Errorf("occasions %v\n%s", occ, b.String())
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "Zoë 山田 🎉", "a\"b\\c\n\t\r\x00\x1f\x7f", "\xff\xfe",
		"Zoë \"Z\"", "山田\n", "é\xff", "\u0085 C1", "\u202e", "e\xcc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// What Write writes is quote's, by its shorter way for a
		// string with nothing to escape.
		if got := string(appendQuoted(nil, s)); got != quote(s) {
			t.Errorf("appendQuoted(%q) = %s; quote gives %s", s, got, quote(s))
		}
		var v struct{ K string }
		if _, err := toml.Decode("K = "+quote(s), &v); err != nil {
			t.Fatalf("quote(%q) = %s: %v", s, quote(s), err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); v.K != want {
			t.Errorf("quote(%q) reads back as %q", s, v.K)
		}
	})
}

// BenchmarkImport50k reads 50,000 cards and writes them; the heap stays
// flat whatever the size of the file.
func BenchmarkImport50k(b *testing.B) {
	var src bytes.Buffer
	for i := range 50000 {
		fmt.Fprintf(&src, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person Number %d\r\nN:Number %d;Person;;;\r\nEMAIL;TYPE=INTERNET:p%d@example.org\r\nTEL;TYPE=CELL:+49 30 %07d\r\nBDAY:1980-%02d-%02d\r\nEND:VCARD\r\n", i, i, i, i, i%12+1, i%28+1)
	}
	b.SetBytes(int64(src.Len()))
	for b.Loop() {
		r, err := Open(bytes.NewReader(src.Bytes()), Options{Now: today})
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(io.Discard)
		var peak uint64
		for n := 0; ; n++ {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			Write(w, p, "x", Set{})
			if n%10000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}

// TestImportWritesNoControlCharacters: a hostile vCard's escape sequences,
// C1 controls and direction overrides do not reach the TOML, escaped or
// not: the name is written without them and an address that holds them is
// left out, each with a note on its line. Before, the name was written
// with \u001B escapes and the C1 and U+202E raw.
func TestImportWritesNoControlCharacters(t *testing.T) {
	card := "BEGIN:VCARD\nVERSION:4.0\n" +
		"FN:Eve\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07 \u009b2J\u202egnp.exe\n" +
		"EMAIL:\"eve\u202e\"@example.org\nEMAIL:eve@example.org\nEND:VCARD\n"
	got, err := readAll(t, card, nil)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	p := got[0]
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	Write(w, p, "eve", Set{})
	w.Flush()
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u009b\u202e") || strings.Contains(out, `\u`) {
		t.Errorf("the TOML carries control characters:\n%q", out)
	}
	if !strings.Contains(out, `name = "Eve]52;c;cm0gLXJmIH4=]0;owned 2Jgnp.exe"`) || !strings.Contains(out, `email = ["eve@example.org"]`) {
		t.Errorf("the TOML reads\n%s", out)
	}
	var notes []string
	for _, n := range p.Notes {
		notes = append(notes, n.String())
	}
	joined := strings.Join(notes, "\n")
	if !strings.Contains(joined, "line 3: the name") || !strings.Contains(joined, "written without them") ||
		!strings.Contains(joined, "line 4: ") || !strings.Contains(joined, "holds control characters or direction overrides; left out") {
		t.Errorf("notes:\n%s", joined)
	}
}

// TestCSVRowLimits: a row of more bytes or fields than rekindle reads is a
// syntax error at the line where it starts, found without holding the row
// (the row of 100 MB and 50 million fields took 4.3 GB); rows
// before it, and quoted line breaks, count their lines.
func TestCSVRowLimits(t *testing.T) {
	head := "Name,Email,Notes\nAna,ana@example.org,\"two\nlines\"\n\nBo,bo@example.net,\n"
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"a row of 2 MiB", head + strings.Repeat("x", 2<<20) + "\nCy,cy@example.org,\n", 6, "more than 262144 bytes long"},
		{"a quoted field of 2 MiB over many lines", head + "Cy,cy@example.org,\"" + strings.Repeat("x\n", 1<<20) + "\"\n", 6, "more than 262144 bytes long"},
		{"a header of 2 MiB", strings.Repeat("Name,", 400000) + "\n", 1, "more than 262144 bytes long"},
		{"a row of 1001 fields", head + strings.Repeat("a,", 1000) + "a\n", 6, "has 1001 fields; rekindle reads at most 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, tc.src, nil)
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Fatalf("error %v; want line %d: %s", err, tc.line, tc.msg)
			}
			if tc.line > 1 && len(got) != 2 {
				t.Errorf("read %d people before the row; want 2", len(got))
			}
		})
	}
	if got, err := readAll(t, head+strings.Repeat("a,", 999)+"a\n", nil); err != nil || len(got) != 3 {
		t.Errorf("a row of 1000 fields: %v, %d people", err, len(got))
	}
}

// TestCSVShortRow: an export leaves out a row's trailing empty cells; the
// columns past the last are empty, not a crash (FieldPos panicked on a
// column the row does not have).
func TestCSVShortRow(t *testing.T) {
	src := "Name,Email,Phone,Birthday,Anniversary,Event 1 - Label,Event 1 - Value\nAna Lima\nBo Berg,bo@example.org\n"
	got, err := readAll(t, src, nil)
	if err != nil || len(got) != 2 {
		t.Fatalf("%v, %d people", err, len(got))
	}
	if s := summary(got[0]) + " " + summary(got[1]); s != "2|Ana Lima||| 3|Bo Berg|bo@example.org||" {
		t.Errorf("read %s", s)
	}
}

// TestPlainEmail: what plainEmail takes at once, config.ValidEmail takes
// too (it is a shortcut, never a second opinion).
func TestPlainEmail(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	word := func(alphabet string) string {
		b := make([]byte, rng.IntN(8))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	took := 0
	for range 100000 {
		a := word("ab..-_%+Z9") + "@" + word("ab..-Z9")
		if rng.IntN(3) == 0 {
			a = word("ab.@-_%+Z9 \"<>()[]:;,\\\xc3\xa9\xff")
		}
		if plainEmail(a) {
			took++
			if !config.ValidEmail(a) {
				t.Errorf("plainEmail takes %q, which config.ValidEmail does not", a)
			}
		}
	}
	for _, a := range []string{"p1@example.org", "first.last+tag@mail.example.co.uk", "a@b", "x_y%z-1@a-b.c"} {
		if !plainEmail(a) || !config.ValidEmail(a) {
			t.Errorf("%q: plainEmail %v, ValidEmail %v", a, plainEmail(a), config.ValidEmail(a))
		}
	}
	if took < 100 {
		t.Errorf("only %d of the random strings were plain addresses; the test tries too few", took)
	}
}

// cards is an endless vCard file: card after card, made as they are read.
type cards struct {
	n    int
	left []byte
}

func (c *cards) Read(p []byte) (int, error) {
	if len(c.left) == 0 {
		c.n++
		photo := ""
		if c.n%2000 == 0 {
			photo = "PHOTO;ENCODING=b:" + strings.Repeat("QUJD", 1<<18) + "\r\n" // a megabyte
		}
		c.left = fmt.Appendf(nil, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person %d\r\n  the %dth\r\nEMAIL;TYPE=INTERNET:p%d@example.org\r\n"+
			"TEL;TYPE=CELL:+49 30 %07d\r\n%sBDAY:1980-%02d-%02d\r\nEND:VCARD\r\n", c.n, c.n, c.n, c.n, photo, c.n%12+1, c.n%28+1)
	}
	n := copy(p, c.left)
	c.left = c.left[n:]
	return n, nil
}

// TestVCardStreams: reading cards holds one card at a time; the heap after
// 12,000 cards (with a photo of a megabyte now and then) is what it was
// after 1,200.
func TestVCardStreams(t *testing.T) {
	r, err := Open(&cards{}, Options{Now: today})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var at4k uint64
	for i := 1; i <= 12001; i++ {
		p, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("Person %d the %dth", i, i); p.Name != want {
			t.Fatalf("card %d: %q, want %q", i, p.Name, want)
		}
		if i == 1200 {
			at4k = heap()
		}
	}
	grew := int64(heap()) - int64(at4k)
	runtime.KeepAlive(r) // what it holds is measured
	if grew > 1<<20 {
		t.Errorf("the heap grew by %d bytes from card 1,200 to 12,000", grew)
	}
}

// TestPlainPhone: what config.PlainPhone takes, config.ValidPhone takes too and
// holds nothing Hidden, and so does what plainEmail takes: Person.add
// asks neither for them.
func TestPlainPhone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	word := func(alphabet string) string {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	took := 0
	for range 100000 {
		n := word("0123456789+ -./()")
		if rng.IntN(3) == 0 {
			n = word("0123456789+ -./()xX\t\r\x1b;=ext\xe2\x80\xae")
		}
		if config.PlainPhone(n) {
			took++
			if !config.ValidPhone(n) || terminal.HasHidden(n) {
				t.Errorf("PlainPhone takes %q: ValidPhone %v, HasHidden %v", n, config.ValidPhone(n), terminal.HasHidden(n))
			}
		}
		if a := word("ab.@-_%+Z9\t\x7f\xe2\x80\xae"); plainEmail(a) && terminal.HasHidden(a) {
			t.Errorf("plainEmail takes %q, which holds a Hidden character", a)
		}
	}
	if took < 100 {
		t.Errorf("only %d of the random strings were plain numbers; the test tries too few", took)
	}
}

// TestDaysIn: daysIn counts as time.Date does, which parseDate asked
// before.
func TestDaysIn(t *testing.T) {
	for y := 1; y <= 2500; y++ {
		for m := time.January; m <= time.December; m++ {
			for d := 28; d <= 32; d++ {
				inMonth := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Month() == m
				if got := d <= daysIn(m, y); got != inMonth {
					t.Fatalf("%d-%02d-%02d: daysIn says %v, time.Date %v", y, m, d, got, inMonth)
				}
			}
		}
	}
}

// TestImportDayAfter: importDay.after says what making the midnight of
// the date in now's zone said, around days the clocks changed at
// midnight (São Paulo), a day a zone skipped (Apia, 30 December 2011)
// and an ordinary change (Berlin).
func TestImportDayAfter(t *testing.T) {
	for _, tc := range []struct {
		zone string
		from time.Time
	}{
		{"America/Sao_Paulo", time.Date(2018, 11, 2, 0, 0, 0, 0, time.UTC)},
		{"America/Sao_Paulo", time.Date(2019, 2, 14, 0, 0, 0, 0, time.UTC)},
		{"Pacific/Apia", time.Date(2011, 12, 27, 0, 0, 0, 0, time.UTC)},
		{"Europe/Berlin", time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC)},
		{"UTC", time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		for h := 0; h < 6*24; h++ {
			now := tc.from.Add(time.Duration(h)*time.Hour + 30*time.Minute).In(loc)
			day := newImportDay(now)
			for d := -4; d <= 4; d++ {
				for _, years := range []int{0, -1, -30} {
					y, m, dd := now.AddDate(years, 0, d).Date()
					o := rules.Occasion{Year: y, Month: m, Day: dd}
					if got, want := day.after(o), time.Date(y, m, dd, 0, 0, 0, 0, loc).After(now); got != want {
						t.Errorf("%s, now %v: after(%v) = %v; want %v", tc.zone, now, o, got, want)
					}
				}
			}
		}
	}
}
