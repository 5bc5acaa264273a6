package importer

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
)

// readFile reads every person of a file under testdata.
func readFile(t *testing.T, name string) []Person {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	people, err := readAll(t, string(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return people
}

// notes joins the notes of a person, to look for one.
func notes(p Person) string {
	var out []string
	for _, n := range p.Notes {
		out = append(out, n.String())
	}
	return strings.Join(out, "\n")
}

// TestAddressBooks reads the exports of iCloud (vCard 3.0), Google
// Contacts and Outlook (CSV) as they write them: the dates they hold go to
// [contact.dates], a company's card is not a person, numbers that reach
// someone else are left out with a note, an extension stays with its
// number, and what you call them is their nickname, else their given name.
func TestAddressBooks(t *testing.T) {
	for _, tc := range []struct {
		file  string
		want  []string // summary|called|not a person
		notes []string // in the notes of the people, in order
	}{
		{"icloud.vcf", []string{
			"1|Dr. John Robert Doe|john.doe@example.org|+1 (555) 555-0100,+1 (555) 555-0101 ext. 89|birthday=1980-03-14,anniversary=2010-06-12,moved to lisbon=2015-09-01|Johnny|",
			"22|Acme Inc.||+1 555 555 0000|||a company's card (X-ABShowAs:COMPANY)",
			"31|Jörg Müller||+49 30 1234567 ext. 12|birthday=--11-02,anniversary=--05-20,other=2019-02-03|Jörg|",
		}, []string{
			`line 12: "+1 (555) 555-0199" is a fax number; left out`,
			`line 13: "+1 555 555 0198" is a pager number; left out`,
		}},
		{"google.csv", []string{
			"2|Ana Lima|ana@example.org|+55 11 91234-5678,+55 11 3333-4400 ext. 89|birthday=1990-04-12,anniversary=2015-10-03,graduation=--07-01|Aninha|",
			"3|Bo Berg|bo@example.org,bo.berg@example.org||birthday=--02-14|Bo|",
		}, []string{
			`line 2: "+55 11 3333-4444" is a Work Fax number; left out`,
			`line 3: "+46 8 123 456" is a Pager number; left out`,
		}},
		{"outlook.csv", []string{
			"2|Jane Roe|jane.roe@example.com|+1 (425) 555-0100 ext. 12,+1 425 555 0111|birthday=1980-03-14,anniversary=2010-06-12|Jane|",
			"3|Kai Nakamura|kai@example.net|+81 90-1234-5678||Kai|",
		}, []string{
			`line 2: Company Main Phone "+1 425 555 0000" is not their own number; left out`,
			`line 2: Assistant's Phone "+1 425 555 0150" is not their own number; left out`,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			people := readFile(t, tc.file)
			var got, gotNotes []string
			for _, p := range people {
				got = append(got, summary(p)+"|"+p.Called+"|"+p.NotAPerson)
				if n := notes(p); n != "" {
					gotNotes = append(gotNotes, n)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if strings.Join(gotNotes, "\n") != strings.Join(tc.notes, "\n") {
				t.Errorf("notes\n%s\nwant\n%s", strings.Join(gotNotes, "\n"), strings.Join(tc.notes, "\n"))
			}
		})
	}
}

// TestOtherAnniversaries: the anniversary properties of Outlook's,
// Evolution's and older exports, Google's older CSV with "Event 1 -
// Type", and a tel: URI's extension (RFC 6350's own example).
func TestOtherAnniversaries(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"X-MS-ANNIVERSARY", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Roe\r\nX-MS-ANNIVERSARY:2010-06-12\r\nEND:VCARD\r\n", "anniversary=2010-06-12"},
		{"X-EVOLUTION-ANNIVERSARY", "BEGIN:VCARD\nVERSION:3.0\nFN:Jane Roe\nX-EVOLUTION-ANNIVERSARY:2010-06-12\nEND:VCARD\n", "anniversary=2010-06-12"},
		{"X-ANNIVERSARY", "BEGIN:VCARD\nVERSION:3.0\nFN:Jane Roe\nX-ANNIVERSARY:20100612\nEND:VCARD\n", "anniversary=2010-06-12"},
		{"vCard 4 ANNIVERSARY", "BEGIN:VCARD\nVERSION:4.0\nFN:Jane Roe\nANNIVERSARY:--0612\nEND:VCARD\n", "anniversary=--06-12"},
		{"Google's older CSV", "Name,Given Name,Family Name,Event 1 - Type,Event 1 - Value,Event 2 - Type,Event 2 - Value\r\nJane Roe,Jane,Roe,Anniversary,2010-06-12,First met,2008-01-20\r\n",
			"anniversary=2010-06-12,first met=2008-01-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people, err := readAll(t, tc.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(people) != 1 || !strings.HasSuffix(summary(people[0]), "|"+tc.want) {
				t.Errorf("got %+v, want the dates %s", people, tc.want)
			}
		})
	}
	people, err := readAll(t, "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Roe\r\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+1-555-555-0100;ext=102\r\nEND:VCARD\r\n", nil)
	if err != nil || len(people) != 1 || strings.Join(people[0].Phones, ",") != "+1-555-555-0100 ext. 102" || len(people[0].Notes) > 0 {
		t.Errorf("the number with an extension: %+v, %v", people, err)
	}
}

// TestWriteSet: import's --every, --group, --paused and --last-talked go
// into the person's table, which the config reads back.
func TestWriteSet(t *testing.T) {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	Write(w, Person{Name: "Dr. John Doe", Called: "Johnny", Emails: []string{"j@example.org"}}, "john-doe",
		Set{Every: "30d", Group: "friends", Paused: true, LastTalked: "2026-11-01"})
	w.Flush()
	want := `[[contact]]
name = "Dr. John Doe"
called = "Johnny"
id = "john-doe"
group = "friends"
email = ["j@example.org"]
last_interaction = 2026-11-01
every = "30d"
paused = true

`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
