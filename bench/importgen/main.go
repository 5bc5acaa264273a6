// Command importgen writes a synthetic contact export for bench/import.sh:
//
//	importgen vcf N        N vCards as a phone writes them: CRLF, folded
//	                       lines, vCard 3.0 and 2.1 quoted-printable, photos
//	importgen csv N        N rows of a Google Contacts CSV, distinct names
//	importgen csv-same N   the same, about 100 people to each name, every
//	                       row as long as in csv
package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
)

var given = []string{"Ana", "Bo", "Zoë", "José", "Renée", "Kai", "Mia", "Jörg", "Seán", "Li", "Ola", "Ýr"}

var family = []string{"Lima", "Berg", "山田", "García Márquez", "Müller", "Nakamura", "O'Brien", "Øster", "Smith", "Nowak"}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: importgen vcf|csv|csv-same N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "importgen: N is a count")
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	defer w.Flush()
	switch os.Args[1] {
	case "vcf":
		vcf(w, n)
	case "csv":
		csv(w, n, false)
	case "csv-same":
		csv(w, n, true)
	default:
		fmt.Fprintln(os.Stderr, "importgen: vcf, csv or csv-same")
		os.Exit(2)
	}
}

// fold cuts a property line at 75 bytes as vCard writers do, each
// continuation starting with a space (never inside a UTF-8 character, as
// some writers do, which the importer reads too).
func fold(w *bufio.Writer, line string) {
	for len(line) > 75 {
		cut := 75
		for cut > 1 && line[cut]&0xC0 == 0x80 {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}

func vcf(w *bufio.Writer, n int) {
	photo := make([]byte, 360)
	for i := range photo {
		photo[i] = byte(i * 7)
	}
	photo64 := base64.StdEncoding.EncodeToString(photo)
	for i := range n {
		g, f := given[i%len(given)], family[(i/len(given))%len(family)]
		w.WriteString("BEGIN:VCARD\r\n")
		if i%10 == 9 {
			// vCard 2.1 from an old phone: quoted-printable Latin-1,
			// bare parameters.
			w.WriteString("VERSION:2.1\r\n")
			fmt.Fprintf(w, "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller %d;J=F6rg;;;\r\n", i)
			fmt.Fprintf(w, "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=F6rg M=FCller %d =\r\nder J=FCngere\r\n", i)
			fmt.Fprintf(w, "TEL;CELL;PREF:+49 30 %07d\r\nTEL;WORK;VOICE:+49 30 %07d\r\n", i, i+1)
			if i%100 == 99 {
				fmt.Fprintf(w, "TEL;WORK;FAX:+49 30 %07d\r\n", i+2) // a note
			}
			fmt.Fprintf(w, "EMAIL;INTERNET:j%d@example.de\r\nBDAY:19%02d%02d%02d\r\nEND:VCARD\r\n", i, 50+i%50, i%12+1, i%28+1)
			continue
		}
		w.WriteString("VERSION:3.0\r\n")
		fmt.Fprintf(w, "N:%s %d;%s;;;\r\n", f, i, g)
		fn := fmt.Sprintf("FN:%s %s %d, the one who \"knows\"", g, f, i)
		if i%3 == 1 {
			fn += " everyone at the bakery on the corner" // folded
		}
		fold(w, fn)
		if i%3 == 0 {
			fmt.Fprintf(w, "NICKNAME:%s%d\r\n", strings.ToLower(g[:1]), i)
		}
		fmt.Fprintf(w, "ORG:Acme %d;\r\n", i%100)
		fmt.Fprintf(w, "EMAIL;type=INTERNET;type=HOME;type=pref:p%d@example.org\r\n", i)
		if i%2 == 0 {
			fmt.Fprintf(w, "item1.EMAIL;type=INTERNET:work%d@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n", i)
		}
		fmt.Fprintf(w, "TEL;type=CELL;type=VOICE;type=pref:+1 (555) %03d-%04d\r\n", i%1000, i%10000)
		fmt.Fprintf(w, "item2.ADR;type=HOME;type=pref:;;%d Main St;Springfield;IL;62701;United States\r\n", i)
		fmt.Fprintf(w, "BDAY;value=date:19%02d-%02d-%02d\r\n", 50+i%50, i%12+1, i%28+1)
		if i%5 == 0 {
			fmt.Fprintf(w, "item3.X-ABDATE;type=pref:20%02d-06-12\r\nitem3.X-ABLabel:_$!<Anniversary>!$_\r\n", i%25)
		}
		fold(w, "NOTE:Met in Lisbon\\, 2019; likes tea\\, cake\\nand long walks")
		if i%8 == 0 {
			fold(w, "PHOTO;ENCODING=b;TYPE=JPEG:"+photo64)
		}
		w.WriteString("END:VCARD\r\n")
	}
}

// csv writes Google Contacts' export. With same, the number in the name
// is that of the row rounded down to a hundred, so that a hundred rows
// share a name and every row is as long as without.
func csv(w *bufio.Writer, n int, same bool) {
	label := []string{"Work Fax", "Work Tel"} // one fax in a hundred rows, and its note
	w.WriteString("First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name," +
		"Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department," +
		"Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value," +
		"Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Event 1 - Label,Event 1 - Value\r\n")
	for i := range n {
		g, f := given[i/100%len(given)], family[(i/100/len(given))%len(family)]
		k := i
		if same {
			k = i / 100 * 100
		}
		nick := ""
		if i%3 == 0 {
			nick = "Nick"
		}
		fmt.Fprintf(w, "%s,,%s %06d,,,,,,%s,,Acme %02d,,,19%02d-%02d-%02d,\"likes \"\"tea\"\", cake\",,* myContacts,"+
			"* Home,p%06d@example.org,Work,w%06d@example.com ::: x%06d@example.net,Mobile,+1 555 %07d,%s,+1 555 %07d,",
			g, f, k, nick, i%100, 50+i%50, i%12+1, i%28+1, i, i, i, i, label[min(i%100, 1)], i+1)
		if i%5 == 0 {
			fmt.Fprintf(w, "Anniversary,20%02d-06-12\r\n", i%25)
		} else {
			w.WriteString(",\r\n")
		}
	}
}
