package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/rekindle/rekindle/config"
)

var updateGolden = flag.Bool("update-golden", false, "write testdata/golden.sha256 from what the importer prints now")

// TestGolden reads a large, varied generated input (vCards of every
// version with folded lines, CRLF and LF, quoted-printable, character
// sets, photos, groups, parameters, escapes, bad values and hostile names;
// Google, Outlook and mapped CSV), gives ids as import does and writes the
// TOML, the notes and the errors. The SHA-256 of all of it was taken from
// the importer before it was made faster (testdata/golden.sha256): any
// byte that changes fails. With -update-golden it writes the hash anew;
// -golden-out FILE keeps what was printed, to compare two versions.
func TestGolden(t *testing.T) {
	out := goldenOutput(t)
	sum := sha256.Sum256(out)
	got := hex.EncodeToString(sum[:])
	path := filepath.Join("testdata", "golden.sha256")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		keep := filepath.Join(t.TempDir(), "golden.out")
		if dir := os.Getenv("GOLDEN_OUT"); dir != "" {
			keep = filepath.Join(dir, "golden.out")
		}
		os.WriteFile(keep, out, 0o644)
		t.Errorf("the importer prints other bytes than before (%d bytes, sha256 %s; want %s); set GOLDEN_OUT=DIR to keep them and compare with the old code's",
			len(out), got, strings.TrimSpace(string(want)))
	}
}

// goldenOutput is all that the importer prints for the generated inputs.
func goldenOutput(t *testing.T) []byte {
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	for _, in := range goldenInputs(t) {
		fmt.Fprintf(w, "## %s (%d bytes)\n", in.name, len(in.src))
		r, err := Open(strings.NewReader(in.src), in.opts)
		if err != nil {
			fmt.Fprintf(w, "open: %v\n", err)
			continue
		}
		ids := NewIDsFor(0)
		for {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Fprintf(w, "error: %v\n", err)
				break
			}
			fmt.Fprintf(w, "# line %d, not a person: %q, called %q\n", p.Line, p.NotAPerson, p.Called)
			for _, n := range p.Notes {
				fmt.Fprintf(w, "# %s\n", n)
			}
			id := config.Slug(p.Name)
			if id == "" {
				id = fmt.Sprintf("contact-%d", p.Line)
			}
			Write(w, p, ids.Take(id), in.set)
		}
	}
	w.Flush()
	return out.Bytes()
}

type goldenInput struct {
	name string
	src  string
	opts Options
	set  Set
}

func goldenInputs(t *testing.T) []goldenInput {
	var ins []goldenInput
	for _, f := range []string{"google.csv", "outlook.csv", "icloud.vcf"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, goldenInput{name: f, src: string(b), opts: Options{Now: today}})
	}
	rng := rand.New(rand.NewPCG(21, 2026))
	ins = append(ins,
		goldenInput{name: "vcards", src: genVCards(rng, 3000, false), opts: Options{Now: today}},
		goldenInput{name: "vcards, windows-1252", src: genVCards(rng, 300, true), opts: Options{Now: today, Charset: "windows-1252"},
			set: Set{Every: "30d", Group: "family", Paused: true, LastTalked: "2026-11-01"}},
		goldenInput{name: "google csv", src: genGoogleCSV(rng, 2000), opts: Options{Now: today}},
		goldenInput{name: "outlook csv, windows-1252", src: genOutlookCSV(rng, 500), opts: Options{Now: today, Charset: "windows-1252"}},
	)
	m, err := ParseMapping([]string{"name=Full Name,email=Mail", "email=Mail Work", "phone=cell", "birthday=Born", "nickname=Nick"})
	if err != nil {
		t.Fatal(err)
	}
	ins = append(ins, goldenInput{name: "mapped csv", src: genMappedCSV(rng, 500), opts: Options{Now: today, Map: m}})
	for i, src := range goldenBroken {
		ins = append(ins, goldenInput{name: fmt.Sprintf("broken %d", i), src: src, opts: Options{Now: today}})
	}
	return ins
}

// goldenBroken are inputs that stop the import, each with its message.
var goldenBroken = []string{
	"BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\n",
	"BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:A\nthis is prose\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:A\nEND:VCARD\nhello\n",
	"BEGIN:VCARD\r\nFN:A\r\nx.END:other\r\nEMAIL:a@example.org\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\nFN:A\nx.END:other\nNOTE:M\xfcller\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:3.0\nN:M\xfcller;J\xf6rg;;;\nFN:J\xf6rg M\xfcller\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=F6rg\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:2.1\nEMAIL:a@example.org\nFN;CHARSET=windows-1252:Bad \x81 Byte\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=X-MADE-UP:Ana\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Ana =ZZ\nEND:VCARD\n",
	"BEGIN:VCARD\nFN\xff;X=1:Ana\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:Ana\n.:x\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:Ana\nNOTE:\xc3\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:Ana\nPHOTO;ENCODING=b:AAAA\n \xff\nEND:VCARD\n",
	"\uFEFFBEGIN:VCARD\r\nFN:Ana\r\nEND:VCARD\r\nBEGIN:VCARD\r\n",
	"First Name,Last Name,E-mail Address\r\nAna,Lima,ana@example.org\r\nJ\xf6rg,M\xfcller,jm@example.org\r\n",
	"Name,Email\nAna,ana@example.org\nBo,\"bo@example.org\nCy,cy@example.org\n",
	"Name,Email\nAna,an\"a@example.org\n",
	"Mail,Cell\nx@example.org,123\n",
	"",
}

// pick returns one of the strings at random.
func pick(rng *rand.Rand, s ...string) string { return s[rng.IntN(len(s))] }

var (
	goldenGiven  = []string{"Ana", "Bo", "Zoë", "José", "Renée", "Kai", "山田", "Ýr", "Seán", "O'Neil", "Anne-Marie", "🎉Party", "Li", "Ana"}
	goldenFamily = []string{"Lima", "Berg", "García Márquez", "Müller", "Nakamura", "Øster", "Smith", "太郎", "van der Berg", "Lima"}
)

// goldenName is a name with now and then what a TOML string escapes, a
// vCard escape, or what a terminal would act on.
func goldenName(rng *rand.Rand) string {
	n := pick(rng, goldenGiven...) + " " + pick(rng, goldenFamily...)
	switch rng.IntN(30) {
	case 0:
		n += ` "the" \\ one`
	case 1:
		n += `\, Jr.`
	case 2:
		n += "\x1b]0;owned\x07"
	case 3:
		n += "\u202egnp.exe"
	case 4:
		n += "\\nsecond"
	case 5:
		n = "  " + n + "\t  x "
	case 6:
		n = "!!!"
	case 7:
		n = "Ana 2"
	case 8:
		n += "\x7f\u0085"
	}
	return n
}

// fold cuts a line as a writer does (or carelessly: inside a character),
// with a space or a tab, and ends each piece with eol.
func goldenFold(rng *rand.Rand, line, eol string) string {
	if len(line) < 40 || rng.IntN(3) > 0 {
		return line + eol
	}
	var b strings.Builder
	for len(line) > 40 {
		cut := 10 + rng.IntN(30)
		b.WriteString(line[:cut] + eol + pick(rng, " ", " ", "\t"))
		line = line[cut:]
	}
	b.WriteString(line + eol)
	return b.String()
}

var goldenPhoto = func() string {
	b := make([]byte, 700)
	for i := range b {
		b[i] = byte(i*31 + 7)
	}
	return base64.StdEncoding.EncodeToString(b)
}()

func goldenDate(rng *rand.Rand) string {
	y, m, d := 1940+rng.IntN(80), 1+rng.IntN(12), 1+rng.IntN(28)
	switch rng.IntN(14) {
	case 0:
		return fmt.Sprintf("%04d%02d%02d", y, m, d)
	case 1:
		return fmt.Sprintf("--%02d%02d", m, d)
	case 2:
		return fmt.Sprintf("--%02d-%02d", m, d)
	case 3:
		return fmt.Sprintf("%04d-%02d-%02dT000000Z", y, m, d)
	case 4:
		return "1990-02-30"
	case 5:
		return "2099-05-05"
	case 6:
		return "soon"
	case 7:
		return fmt.Sprintf("%02d-%02d", m, d)
	case 8:
		return fmt.Sprintf("%d/%d/%04d", m, d, y)
	case 9:
		return "--0229"
	case 10:
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func goldenEmail(rng *rand.Rand, i int) string {
	switch rng.IntN(12) {
	case 0:
		return "not an address"
	case 1:
		return fmt.Sprintf("mailto:m%d@example.org", i)
	case 2:
		return fmt.Sprintf("P%d@Example.org", i)
	case 3:
		return fmt.Sprintf("\"Ana\" <a%d@example.org>", i)
	case 4:
		return "eve\u202e@example.org"
	}
	return fmt.Sprintf("p%d@example.org", i)
}

func goldenPhone(rng *rand.Rand, i int) string {
	switch rng.IntN(12) {
	case 0:
		return "call me"
	case 1:
		return fmt.Sprintf("tel:+1-555-555-%04d;ext=102", i%10000)
	case 2:
		return fmt.Sprintf("+1 (425) 555-%04d x12", i%10000)
	case 3:
		return fmt.Sprintf("+44 20 %04d %04d ext. 89", i%10000, i%7777)
	case 4:
		return fmt.Sprintf("tel:+81-3-1234-%04d", i%10000)
	case 5:
		return "12"
	}
	return fmt.Sprintf("+49 30 %07d", i)
}

// genVCards writes n cards of every kind; with latin, lines that name no
// CHARSET hold Windows-1252 bytes (for --charset).
func genVCards(rng *rand.Rand, n int, latin bool) string {
	var b strings.Builder
	if rng.IntN(2) == 0 && !latin {
		b.WriteString("\uFEFF")
	}
	for i := range n {
		if latin {
			// The card in Windows-1252, what it cannot hold as '?'.
			var c strings.Builder
			writeVCard(rng, &c, i, true)
			s, err := encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder()).String(c.String())
			if err != nil {
				panic(err)
			}
			b.WriteString(s)
			continue
		}
		writeVCard(rng, &b, i, false)
	}
	return b.String()
}

func writeVCard(rng *rand.Rand, b *strings.Builder, i int, latin bool) {
	{
		eol := pick(rng, "\r\n", "\r\n", "\n")
		line := func(s string) { b.WriteString(goldenFold(rng, s, eol)) }
		version := pick(rng, "2.1", "3.0", "3.0", "4.0")
		line(pick(rng, "BEGIN:VCARD", "BEGIN:VCARD", "begin:vcard", "BEGIN:VCARD  "))
		line("VERSION:" + version)
		if rng.IntN(10) == 0 {
			b.WriteString(eol) // a blank line inside the card
		}
		name := goldenName(rng)
		switch {
		case latin:
			line("FN:" + pick(rng, "Jörg Müller", "Seán O’Brien", "Renée François", name))
		case version == "2.1" && rng.IntN(2) == 0:
			cs := pick(rng, "ISO-8859-1", "UTF-8", "windows-1252")
			qp := map[string]string{"ISO-8859-1": "J=F6rg M=FCller =\r\nder J=FCngere", "UTF-8": "Ren=C3=A9e M=C3=BC=\r\nller", "windows-1252": "Se=E1n O=92Brien=0D=0Ax"}[cs]
			if eol == "\n" {
				qp = strings.ReplaceAll(qp, "\r\n", "\n")
			}
			head := pick(rng, "FN;CHARSET="+cs+";ENCODING=QUOTED-PRINTABLE", "FN;CHARSET="+cs+";QUOTED-PRINTABLE", "FN;ENCODING=QUOTED-PRINTABLE;CHARSET="+cs)
			b.WriteString(head + ":" + qp + eol)
			nqp := "M=FCller;J=F6rg;;;"
			if cs == "UTF-8" {
				nqp = "M=C3=BCller;J=C3=B6rg;;;"
			}
			line("N;CHARSET=" + cs + ";ENCODING=QUOTED-PRINTABLE:" + nqp)
		case version == "2.1" && rng.IntN(3) == 0:
			line("FN;CHARSET=ISO-8859-1:J\xf6rg M\xfcller " + fmt.Sprint(i))
		case rng.IntN(8) == 0:
			// N without FN.
		case rng.IntN(10) == 0:
			line("FN;LANGUAGE=en:" + name)
			line("FN;PREF=1:" + pick(rng, goldenGiven...) + " Preferred")
		case rng.IntN(12) == 0:
			line("FN:")
		default:
			line("FN:" + name)
		}
		if rng.IntN(3) > 0 {
			line(fmt.Sprintf("N:%s;%s;%s;%s;%s", pick(rng, goldenFamily...), pick(rng, goldenGiven...), pick(rng, "", "Luis", "M."), pick(rng, "", "Dr."), pick(rng, "", "Jr.")))
		}
		if rng.IntN(4) == 0 {
			line("NICKNAME:" + pick(rng, "Nico", "Nico,Nic", " ", "Zé \x1b[2J", "Bibi\\, B"))
		}
		switch rng.IntN(25) {
		case 0:
			line("X-ABShowAs:COMPANY")
		case 1:
			line("KIND:" + pick(rng, "org", "group", "individual", "ORG "))
		case 2:
			line("X-ADDRESSBOOKSERVER-KIND:group")
		}
		for range rng.IntN(4) {
			head := pick(rng, "EMAIL", "EMAIL;TYPE=INTERNET", "EMAIL;type=INTERNET;type=HOME;type=pref", "EMAIL;PREF=1", "item1.EMAIL;type=INTERNET",
				"email", "EMAIL;INTERNET", `EMAIL;TYPE="home,work"`, "EMAIL;TYPE=home,work", `EMAIL;X-Q="a\"b";TYPE=x`, `EMAIL;X-Q="broken`)
			line(head + ":" + goldenEmail(rng, i))
		}
		for range rng.IntN(4) {
			head := pick(rng, "TEL", "TEL;TYPE=CELL", "TEL;type=CELL;type=VOICE;type=pref", "TEL;CELL;PREF", "TEL;TYPE=fax", "TEL;WORK;FAX",
				"TEL;type=PAGER", "TEL;VALUE=uri", `TEL;VALUE=uri;PREF=1;TYPE="voice,home"`, "tel;type=fax,work", "item2.TEL")
			line(head + ":" + goldenPhone(rng, i))
		}
		if rng.IntN(3) > 0 {
			line(pick(rng, "BDAY:", "BDAY;value=date:", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-", "bday:") + goldenDate(rng))
		}
		if rng.IntN(8) == 0 {
			line("BDAY:" + goldenDate(rng)) // a second birthday
		}
		if rng.IntN(5) == 0 {
			line(pick(rng, "ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY") + ":" + goldenDate(rng))
		}
		for g := range rng.IntN(3) {
			grp := fmt.Sprintf("item%d", g+3)
			if rng.IntN(2) == 0 {
				grp = strings.ToUpper(grp)
			}
			line(grp + ".X-ABDATE" + pick(rng, "", ";type=pref", ";X-APPLE-OMIT-YEAR=1604") + ":" + pick(rng, goldenDate(rng), "1604-07-04"))
			if rng.IntN(4) > 0 {
				line(fmt.Sprintf("item%d.X-ABLabel:", g+3) + pick(rng, "_$!<Anniversary>!$_", "Moved to Lisbon", "_$!<Other>!$_", "odd \x1b[31m label", "First \"date\""))
			}
		}
		if rng.IntN(6) == 0 {
			line("item9.ADR;type=HOME;type=pref:;;1 Main St;Springfield;IL;62701;United States")
		}
		if rng.IntN(6) == 0 {
			line("NOTE:" + pick(rng, "likes tea\\, cake\\nand walks", "a \\\\ b \\; c", "", "Ärger: ja"))
		}
		if rng.IntN(10) == 0 {
			b.WriteString("PHOTO;ENCODING=b;TYPE=JPEG:" + goldenPhoto[:75] + eol)
			for p := goldenPhoto[75:]; p != ""; {
				k := min(74, len(p))
				b.WriteString(" " + p[:k] + eol)
				p = p[k:]
			}
		}
		if rng.IntN(5) == 0 {
			line(pick(rng, "X-FOO;a=b;c:val:ue", "X-BAR;=x:y", "X-BAZ;A=;B=c:d", "BEGIN:NOTVCARD", "x.y.EMAIL:dotted@example.org", "x.y.EMAIL;TYPE=a:dot2@example.org",
				`FN;:"quoted`, "FN;:plain", "FN;;TYPE=x:Two  Semicolons", "nıckname:Nıck", "EMAİL:dotted-i@example.org", "TEL;CELL;:+1 555 0100",
				`TEL;X="a";CELL:+1 555 0101`, "EMAIL;QUOTED-PRINTABLE:q=40example.org", "ſ.TEL:+1 555 0102", `FN;CHARSET="UTF-8":Quoted Charset`,
				"TEL;TYPE=a,,b;;PREF:+1 555 0103", "FN;X=a=b;Y:x\\,y\\n\\z\\", "kind;x=1:ORG", "BDAY;:1990-01-01", "EMAIL:a@example.org\\nb"))
		}
		if rng.IntN(60) == 0 {
			// go-vcard ends a card at any END property whose value is
			// VCARD: what follows is not read.
			line(pick(rng, "x.END:VCARD", "END;X=1:vcard"))
			line("EMAIL:after-end@example.org")
		}
		line(pick(rng, "END:VCARD", "END:VCARD", "end:vcard", "END:VCARD \t"))
		if rng.IntN(8) == 0 {
			b.WriteString(eol)
		}
	}
}

// csvField quotes a field when it must be, and sometimes when it need not.
func csvField(rng *rand.Rand, s string) string {
	if strings.ContainsAny(s, "\",\r\n") || rng.IntN(10) == 0 {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func genGoogleCSV(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("\uFEFFFirst Name,Middle Name,Last Name,Nickname,Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value," +
		"Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Event 1 - Label,Event 1 - Value,Event 2 - Label,Event 2 - Value\r\n")
	for i := range n {
		eol := pick(rng, "\r\n", "\r\n", "\n")
		given, family := pick(rng, goldenGiven...), pick(rng, goldenFamily...)
		switch rng.IntN(15) {
		case 0:
			given, family = "", ""
		case 1:
			given = goldenName(rng)
		case 2:
			family = "Smith, Jr."
		}
		f := []string{given, pick(rng, "", "", "Luis"), family, pick(rng, "", "", "", "Nico", "Zé \x1b[2J"), goldenDate(rng),
			pick(rng, "", "likes \"tea\", cake", "two\r\nlines", "x\ny"), "* myContacts",
			pick(rng, "* Home", "Work", ""), goldenEmail(rng, i), pick(rng, "", "Work"), pick(rng, "", fmt.Sprintf("w%d@example.com ::: x%d@example.net", i, i), goldenEmail(rng, i+1)),
			pick(rng, "Mobile", "Work Fax", "Pager", ""), goldenPhone(rng, i), pick(rng, "Home", "Home Fax"), pick(rng, "", goldenPhone(rng, i+1)+" ::: "+goldenPhone(rng, i+2)),
			pick(rng, "Anniversary", "* Graduation", "", "odd \x1b label"), goldenDate(rng), pick(rng, "Moved", ""), goldenDate(rng)}
		if rng.IntN(10) == 0 {
			f = f[:rng.IntN(len(f))+1] // trailing cells left out
		}
		for j, s := range f {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(rng, s))
		}
		b.WriteString(eol)
		if rng.IntN(40) == 0 {
			b.WriteString(eol) // an empty line
		}
	}
	return b.String()
}

func genOutlookCSV(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString(`"First Name","Middle Name","Last Name","E-mail Address","E-mail Type","E-mail 2 Address","Mobile Phone","Home Phone","Business Fax","Assistant's Phone","Company Main Phone","Birthday","Anniversary"` + "\r\n")
	for i := range n {
		f := []string{pick(rng, "J\xf6rg", "Se\xe1n", "Ana", "", "Ren\xe9e"), "", pick(rng, "M\xfcller", "O\x92Brien", "Lima"), goldenEmail(rng, i), "SMTP", goldenEmail(rng, i+1),
			goldenPhone(rng, i), pick(rng, "", goldenPhone(rng, i+1)), pick(rng, "", "+1 425 555 0199"), pick(rng, "", "+1 425 555 0150"), pick(rng, "", "+1 425 555 0000"),
			pick(rng, "4/12/1990", "0/0/00", "13/40/1990", "2/29/2000", ""), pick(rng, "0/0/00", "6/1/2019", "")}
		for j, s := range f {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

func genMappedCSV(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("Full Name,Mail,Mail Work,Cell,Born,Nick\n")
	for i := range n {
		f := []string{goldenName(rng), goldenEmail(rng, i), goldenEmail(rng, i+1), goldenPhone(rng, i), goldenDate(rng), pick(rng, "", "Nico")}
		for j, s := range f {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(rng, s))
		}
		b.WriteString("\n")
	}
	return b.String()
}
