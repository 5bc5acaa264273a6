package importer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// allocsPerPerson reads src and writes every person, and gives the
// allocations this took per person.
func allocsPerPerson(t *testing.T, src string, people int) float64 {
	t.Helper()
	w := bufio.NewWriter(io.Discard)
	names := make([]string, people)
	for i := range names {
		names[i] = fmt.Sprint("p", i)
	}
	return testing.AllocsPerRun(3, func() {
		r, err := Open(strings.NewReader(src), Options{Now: today})
		if err != nil {
			t.Fatal(err)
		}
		ids := NewIDsFor(0)
		n := 0
		for ; ; n++ {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			Write(w, p, ids.Take(names[n%people]), Set{})
		}
		if n != people {
			t.Fatalf("%d people; want %d", n, people)
		}
	}) / float64(people)
}

// TestImportAllocations: the work per person, counted in allocations
// (the steady figure behind import's CPU time). Before, a phone's vCard
// took 404 (a string for every physical and logical line, a second pass
// through a go-vcard decoder of its own, every parameter of every
// property, quoting rune by rune) and a Google CSV row 80; now 65 and 15.
func TestImportAllocations(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lima;Ana;;;\r\nFN:Ana Lima\\, the one who \"knows\" everyone at the bakery on\r\n  the corner\r\n" +
		"EMAIL;type=INTERNET;type=HOME;type=pref:ana@example.org\r\nitem1.EMAIL;type=INTERNET:work@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n" +
		"TEL;type=CELL;type=VOICE;type=pref:+1 (555) 010-0100\r\nitem2.ADR;type=HOME;type=pref:;;1 Main St;Springfield;IL;62701;United States\r\n" +
		"BDAY;value=date:1980-03-14\r\nitem3.X-ABDATE;type=pref:2010-06-12\r\nitem3.X-ABLabel:_$!<Anniversary>!$_\r\n" +
		"NOTE:Met in Lisbon\\, 2019; likes tea\\, cake\\nand long walks\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71\r\n" +
		" /AMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4+rx+P8GDRQbIikwNz5FTFNaYWhvdn2\r\nEND:VCARD\r\n"
	row := "Ana,,Lima,,,,,,Nick,,Acme,,,1950-01-01,\"likes \"\"tea\"\", cake\",,* myContacts,* Home,ana@example.org,Work," +
		"w@example.com ::: x@example.net,Mobile,+1 555 0100000,Work Tel,+1 555 0100001,Anniversary,2000-06-12\r\n"
	head := "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As," +
		"Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value," +
		"E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Event 1 - Label,Event 1 - Value\r\n"
	for _, tc := range []struct {
		name string
		src  string
		max  float64
	}{
		{"vCard", strings.Repeat(card, 500), 90},
		{"Google CSV", head + strings.Repeat(row, 500), 25},
	} {
		if got := allocsPerPerson(t, tc.src, 500); got > tc.max {
			t.Errorf("%s: %.1f allocations a person; want at most %.0f", tc.name, got, tc.max)
		} else {
			t.Logf("%s: %.1f allocations a person", tc.name, got)
		}
	}
}
