package phone

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Numbers of eight countries, each in its local form (read in its
// region) and its international forms, all the same E.164 number.
func TestNormalizeEightCountries(t *testing.T) {
	cases := []struct {
		region, local string
		intl          []string
		want          string
	}{
		{"GB", "07700 900123", []string{"+44 7700 900123", "0044 7700 900123", "+44 (0)7700 900123"}, "+447700900123"},
		{"DE", "030 1234567", []string{"+49 30 1234567", "0049 30 1234567", "+49 (0)30 1234567"}, "+49301234567"},
		{"US", "(201) 555-0123", []string{"+1 201-555-0123", "+1 (201) 555 0123"}, "+12015550123"},
		{"FR", "06 12 34 56 78", []string{"+33 6 12 34 56 78", "0033 612345678"}, "+33612345678"},
		{"IN", "098765 43210", []string{"+91 98765 43210", "+91-9876543210"}, "+919876543210"},
		{"BR", "(11) 91234-5678", []string{"+55 11 91234 5678", "+55 (11) 91234-5678"}, "+5511912345678"},
		{"JP", "090-1234-5678", []string{"+81 90-1234-5678", "+81 90 1234 5678"}, "+819012345678"},
		{"AU", "0412 345 678", []string{"+61 412 345 678", "+61 4 1234 5678"}, "+61412345678"},
	}
	for _, c := range cases {
		got, err := Normalize(c.local, c.region)
		if err != nil || got != c.want {
			t.Errorf("%s: Normalize(%q) = %q, %v; want %q", c.region, c.local, got, err, c.want)
		}
		for _, n := range c.intl {
			// An international form is the same number read in any region,
			// or in none.
			for _, region := range []string{c.region, "NZ", ""} {
				got, err := Normalize(n, region)
				if err != nil || got != c.want {
					t.Errorf("Normalize(%q, %q) = %q, %v; want %q", n, region, got, err, c.want)
				}
			}
		}
		// The local form read in another country is another number (or
		// none), never this one.
		if got, _ := Normalize(c.local, "NZ"); got == c.want {
			t.Errorf("%s: %q read in NZ gave %s, the %s number", c.region, c.local, got, c.region)
		}
	}
}

// A number written in another script's digits (Arabic-Indic, Persian,
// fullwidth: what a phone set to Arabic, Farsi or Japanese may store) is
// the number its digits say, never "a sender's name".
func TestNormalizeOtherDigits(t *testing.T) {
	cases := []struct{ raw, region, want string }{
		{"٠١٠٠١٢٣٤٥٦٧", "EG", "+201001234567"},
		{"+٤٤ ٧٧٠٠ ٩٠٠١٢٣", "", "+447700900123"},
		{"٠٠٤٤ ٧٧٠٠ ٩٠٠١٢٣", "", "+447700900123"},
		{"۰۹۱۲ ۳۴۵ ۶۷۸۹", "IR", "+989123456789"},
		{"０９０-１２３４-５６７８", "JP", "+819012345678"},
		{"＋８１ ９０ １２３４ ５６７８", "GB", "+819012345678"},
	}
	for _, c := range cases {
		got, err := Normalize(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
	// Digits the library does not read are no name either.
	if _, err := Normalize("०७७००९००१२३", "IN"); err == nil || strings.Contains(err.Error(), "name") {
		t.Errorf("Devanagari digits: %v; want an error that is not about a name", err)
	}
}

func TestNormalizeRefuses(t *testing.T) {
	cases := []struct{ raw, region, want string }{
		{"", "GB", "no number: a hidden caller"},
		// What older Androids write for a call with no number: unknown,
		// private (withheld), a payphone.
		{"-1", "GB", "no number: a hidden caller"},
		{"-2", "GB", "no number: a hidden caller"},
		{"-3", "", "no number: a hidden caller"},
		{"VODAFONE", "GB", "a sender's name"},
		{"DHL Express", "DE", "a sender's name"},
		{"80800", "GB", "a short code"},
		{"12345", "", "a short code"},
		{"33669", "US", "a short code"},
		{"07700 900123", "", "no region"},
		{"+44 12", "GB", "not a phone number"},
		{"+999 1234 5678", "", "not a phone number"},
	}
	for _, c := range cases {
		got, err := Normalize(c.raw, c.region)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Normalize(%q, %q) = %q, %v; want an error saying %q", c.raw, c.region, got, err, c.want)
		}
	}
}

func book(t *testing.T, toml string) *Book {
	t.Helper()
	path := t.TempDir() + "/rekindle.toml"
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return NewBook(cfg)
}

const people = `
region = "GB"
[[contact]]
id = "mum"
name = "Mum"
phone = ["07700 900123", "+44 20 7946 0018"]
every = "1w"

[[contact]]
id = "dad"
name = "Dad"
phone = ["+44 20 7946 0018"]
every = "1w"

[[contact]]
id = "bo"
name = "Bo"
phone = ["+49 30 1234567 ext. 12", "+49 30 1234567"]
every = "2w"
`

func TestLookup(t *testing.T) {
	b := book(t, people)
	cases := []struct{ number, id, why string }{
		{"+447700900123", "mum", ""},
		{"07700900123", "mum", ""},
		{"0049 30 1234567", "bo", ""}, // twice in Bo's list, and with an extension: still Bo's alone
		{"020 7946 0018", "", "more than one person has (Mum, Dad)"},
		{"+1 201 555 0123", "", "nobody in the config"},
		{"+44 7700 900123 ext. 12", "mum", ""}, // an extension, as the config's numbers, is no part of whose number it is
		{"07700 900123 x12", "mum", ""},
		{"80800", "", "a short code"},
	}
	for _, c := range cases {
		id, why := b.Lookup(c.number)
		if id != c.id || !strings.Contains(why, c.why) || (c.why == "" && why != "") {
			t.Errorf("Lookup(%q) = %q, %q; want %q, %q", c.number, id, why, c.id, c.why)
		}
	}
}

// A number of the config that no call can match is said, with whose it
// is and why: without a region, "07700 900123" is nobody's number, and a
// call from +44 7700 900123 would otherwise be "a number of nobody" with
// Mum's number in the config.
func TestBookSaysWhatItCannotRead(t *testing.T) {
	if got := book(t, people).Unread(); len(got) != 0 {
		t.Errorf("with a region: %q; want nothing unread", got)
	}
	b := book(t, `
timezone = "UTC"
[[contact]]
name = "Mum"
phone = ["07700 900123", "+44 7700 900123"]
[[contact]]
name = "Al"
phone = ["+999 1234 5678"]
`)
	got := b.Unread()
	if len(got) != 2 || !strings.Contains(got[0], `Mum's number "07700 900123"`) || !strings.Contains(got[0], "set region") ||
		!strings.Contains(got[1], `Al's number "+999 1234 5678"`) || !strings.Contains(got[1], "not a phone number") {
		t.Errorf("Unread() = %q; want Mum's local number (no region) and Al's of no country", got)
	}
}

func TestLearnCounts(t *testing.T) {
	b := book(t, people)
	at := time.Date(2026, 12, 1, 18, 30, 0, 123e6, time.UTC)
	mum := "07700 900123"
	cases := []struct {
		name    string
		r       Record
		kind    journal.Kind
		ignored string
	}{
		{"answered call in", Record{Number: mum, At: at, Kind: Call, Way: Incoming, Duration: 12 * time.Minute}, journal.Talked, ""},
		{"call out", Record{Number: mum, At: at, Kind: Call, Way: Outgoing, Duration: time.Second}, journal.Talked, ""},
		{"call out, no answer", Record{Number: mum, At: at, Kind: Call, Way: Outgoing}, "", "lasted no time"},
		{"missed", Record{Number: mum, At: at, Kind: Call, Way: Missed}, "", "not answered"},
		{"text in", Record{Number: mum, At: at, Kind: Text, Way: Incoming, Parties: 1}, journal.Replied, ""},
		{"text out", Record{Number: mum, At: at, Kind: Text, Way: Outgoing, Parties: 1}, journal.ReachedOut, ""},
		{"group text", Record{Number: mum, At: at, Kind: Text, Way: Incoming, Parties: 3}, "", "group text"},
		{"unknown number", Record{Number: "+1 201 555 0123", At: at, Kind: Call, Way: Incoming, Duration: time.Minute}, "", "nobody"},
	}
	for _, c := range cases {
		l := b.Learn(c.r, "phonebackup:phone")
		if l.Event.Kind != c.kind || (c.ignored == "") != (l.Ignored == "") || !strings.Contains(l.Ignored, c.ignored) {
			t.Errorf("%s: Learn = %+v; want kind %q, ignored %q", c.name, l, c.kind, c.ignored)
			continue
		}
		if c.kind == "" {
			if l.Event.Contact != "" {
				t.Errorf("%s: an ignored record names %q", c.name, l.Event.Contact)
			}
			continue
		}
		e := l.Event
		if e.Contact != "mum" || !e.At.Equal(at) || e.Source != "phonebackup:phone" || len(e.Dedup) != 32 {
			t.Errorf("%s: event %+v", c.name, e)
		}
		if strings.Contains(e.Dedup, "7700") {
			t.Errorf("%s: the dedup key holds the number: %s", c.name, e.Dedup)
		}
	}
}

// The same call written in two forms (SMS Backup+ mail and a backup file)
// is one event; another call a millisecond later is another.
func TestLearnDedup(t *testing.T) {
	b := book(t, people)
	at := time.Date(2026, 12, 1, 18, 30, 0, 123e6, time.UTC)
	one := b.Learn(Record{Number: "+447700900123", At: at, Kind: Call, Way: Incoming, Duration: time.Minute}, "imap:mail")
	two := b.Learn(Record{Number: "07700 900123", At: at.In(time.FixedZone("", 3600)), Kind: Call, Way: Incoming, Duration: 61 * time.Second}, "phonebackup:phone")
	if one.Event.Dedup == "" || one.Event.Dedup != two.Event.Dedup {
		t.Errorf("one call read from two sources: keys %q and %q", one.Event.Dedup, two.Event.Dedup)
	}
	later := b.Learn(Record{Number: "+447700900123", At: at.Add(time.Millisecond), Kind: Call, Way: Incoming, Duration: time.Minute}, "imap:mail")
	if later.Event.Dedup == one.Event.Dedup {
		t.Error("two calls a millisecond apart have one key")
	}
}

func TestRegion(t *testing.T) {
	if got := ZoneCountry("Europe/London"); got != "GB" {
		t.Errorf("Europe/London: %q", got)
	}
	if got := ZoneCountry("America/Sao_Paulo"); got != "BR" {
		t.Errorf("America/Sao_Paulo: %q", got)
	}
	if got := ZoneCountry("UTC"); got != "" {
		t.Errorf("UTC: %q", got)
	}
	// The config's region first, then its time zone's country.
	b := book(t, "timezone = \"Europe/Berlin\"\n[[contact]]\nid = \"bo\"\nname = \"Bo\"\nphone = [\"030 1234567\"]\nevery = \"1w\"\n")
	if id, why := b.Lookup("+49 30 1234567"); id != "bo" {
		t.Errorf("a Berlin number in a config in Europe/Berlin: %q, %q", id, why)
	}
	b = book(t, "timezone = \"Europe/Berlin\"\nregion = \"at\"\n[[contact]]\nid = \"bo\"\nname = \"Bo\"\nphone = [\"01 1234567\"]\nevery = \"1w\"\n")
	if id, why := b.Lookup("+43 1 1234567"); id != "bo" {
		t.Errorf("region = \"at\" over the zone: %q, %q", id, why)
	}
}

// The zone table is the tz database's, where the system has one to compare.
func TestZonesAreTheTzdatas(t *testing.T) {
	f, err := os.Open("/usr/share/zoneinfo/zone.tab")
	if err != nil {
		t.Skip("no /usr/share/zoneinfo/zone.tab to compare (Debian package tzdata)")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(sc.Text(), "#") || len(fields) < 3 {
			continue
		}
		n++
		if got := ZoneCountry(fields[2]); got != fields[0] {
			t.Errorf("%s: %q, the tz database says %s (go generate ./phone)", fields[2], got, fields[0])
		}
	}
	// And the older names the links of tzdata.zi keep, as /etc/timezone
	// may still say them.
	for old, want := range map[string]string{"Asia/Calcutta": "IN", "Europe/Kiev": "UA", "US/Eastern": "US", "GB": "GB"} {
		if got := ZoneCountry(old); got != want {
			t.Errorf("%s: %q; want %s (go generate ./phone)", old, got, want)
		}
	}
	if n > len(zoneCountries) {
		t.Errorf("the table has %d zones, zone.tab %d (go generate ./phone)", len(zoneCountries), n)
	}
}

// Android's types read the same from every source: answered on another
// device (7) is answered; voicemail, rejected and blocked are not; what
// Android does not write says its number.
func TestAndroidTypes(t *testing.T) {
	calls := map[int]struct {
		way Way
		why string
	}{1: {Incoming, ""}, 2: {Outgoing, ""}, 3: {Missed, "missed"}, 4: {Missed, "voicemail"}, 5: {Missed, "rejected"},
		6: {Missed, "blocked"}, 7: {Incoming, ""}, 9: {0, "(9)"}}
	for typ, want := range calls {
		way, why := CallWay(typ)
		if way != want.way || (want.why == "") != (why == "") || !strings.Contains(why, want.why) {
			t.Errorf("CallWay(%d) = %v, %q; want %v, %q", typ, way, why, want.way, want.why)
		}
	}
	texts := map[int]struct {
		way Way
		why string
	}{1: {Incoming, ""}, 2: {Outgoing, ""}, 3: {0, "draft"}, 4: {0, "outbox"}, 5: {0, "failed"}, 6: {0, "queued"}, 0: {0, "(0)"}}
	for typ, want := range texts {
		way, why := TextWay(typ)
		if way != want.way || (want.why == "") != (why == "") || !strings.Contains(why, want.why) {
			t.Errorf("TextWay(%d) = %v, %q; want %v, %q", typ, way, why, want.way, want.why)
		}
	}
}

// A number longer than any (a backup's hostile megabyte of digits) is not
// one, said at once, and not remembered: the memo of numbers read holds
// thousands, and a thousand such would hold a gigabyte.
func TestLongNumbersAreNotKept(t *testing.T) {
	b := book(t, people)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	long := strings.Repeat("9", 1<<20)
	for i := range 100 {
		if id, why := b.Lookup(long + strconv.Itoa(i)); id != "" || why != "not a phone number" {
			t.Fatalf("a megabyte of digits: %q, %q; want \"not a phone number\"", id, why)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(b)
	if kept := int64(after.HeapAlloc) - int64(before.HeapAlloc); kept > 10<<20 {
		t.Errorf("100 numbers of a megabyte each kept %d MB; want none kept", kept>>20)
	}
}
