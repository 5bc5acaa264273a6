package phone

//go:generate go run zones_gen.go /usr/share/zoneinfo/zone.tab /usr/share/zoneinfo/tzdata.zi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/rekindle/rekindle/config"
)

// Book finds people by phone number. Both sides are written in E.164
// (+447700900123) before they are compared, so "07700 900123" in a backup
// made in Britain is the "+44 7700 900123" of the config.
type Book struct {
	region   string
	byNumber map[string]string   // E.164 → contact id
	shared   map[string][]string // E.164 → the names of everyone who has it, when more than one does
	unread   []string            // the config's numbers that match no call, each with why

	// memo keeps what numbers were read as: a phone's record has a few
	// hundred numbers in a million calls, and phonenumbers.Parse (regular
	// expressions) is most of the time a record takes.
	mu   sync.Mutex
	memo map[string]normalized
}

type normalized struct {
	e164 string
	err  error
}

// memoSize bounds the memo: past it, it starts again.
const memoSize = 1 << 14

// NewBook indexes the config's contacts by their phone = [...] numbers,
// read in the config's region (Region). A number the config gives more
// than one person matches nobody.
func NewBook(cfg *config.Config) *Book {
	b := &Book{region: Region(cfg), byNumber: map[string]string{}, shared: map[string][]string{}}
	name := map[string]string{}
	for i := range cfg.Contacts {
		c := &cfg.Contacts[i]
		name[c.ID] = c.Name
		for _, raw := range c.Phones {
			n, _ := config.SplitPhone(raw)
			e, err := b.normal(n)
			if err != nil {
				b.unread = append(b.unread, fmt.Sprintf("%s's number %q matches no call or text: %v", c.Name, raw, err))
				continue
			}
			prev, ok := b.byNumber[e]
			switch {
			case !ok:
				b.byNumber[e] = c.ID
			case prev == c.ID: // the same number written twice
			case b.shared[e] == nil:
				b.shared[e] = []string{name[prev], c.Name}
			default:
				b.shared[e] = append(b.shared[e], c.Name)
			}
		}
	}
	return b
}

// Unread lists the config's numbers that no call or text can match, each
// with the person's name and why: a number without its country code when
// no region is known, one no country has.
func (b *Book) Unread() []string { return b.unread }

// Lookup finds the person with this number; why says, in words, why
// nobody was found.
func (b *Book) Lookup(raw string) (id, why string) {
	e, err := b.normal(raw)
	if err != nil {
		return "", err.Error()
	}
	if names, ok := b.shared[e]; ok {
		return "", "a number more than one person has (" + strings.Join(names, ", ") + ")"
	}
	id, ok := b.byNumber[e]
	if !ok {
		return "", "a number of nobody in the config"
	}
	return id, ""
}

// Region is the country that numbers without a country code are read in:
// the config's region, or the country of its time zone, or of the
// system's. "" when none is known.
func Region(cfg *config.Config) string {
	if cfg.Region != "" {
		return cfg.Region
	}
	zone := cfg.Timezone
	if zone == "" {
		zone = SystemZone()
	}
	return ZoneCountry(zone)
}

// ZoneCountry is the country of a time zone of the tz database
// ("Europe/London": "GB"); "" for one of no country ("UTC").
func ZoneCountry(zone string) string {
	i := sort.Search(len(zoneCountries), func(i int) bool { return zoneCountries[i].zone >= zone })
	if i < len(zoneCountries) && zoneCountries[i].zone == zone {
		return zoneCountries[i].country
	}
	return ""
}

// SystemZone is the name of the system's time zone: $TZ, else
// /etc/timezone, else where /etc/localtime links to; "" when none says.
func SystemZone() string {
	if tz, ok := os.LookupEnv("TZ"); ok {
		return strings.TrimPrefix(tz, ":")
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if z := strings.TrimSpace(string(b)); z != "" {
			return z
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, z, ok := strings.Cut(filepath.ToSlash(target), "zoneinfo/"); ok {
			return z
		}
	}
	return ""
}

// Errors of a number that is not one rekindle can match, in words a dry
// run shows.
var (
	errNoNumber = errors.New("no number: a hidden caller, or one the network did not say")
	errName     = errors.New("a sender's name, not a number")
	errShort    = errors.New("a short code, not a person's number")
	errNoRegion = errors.New("a number without its country code, and no region to read it in (set region = \"GB\", your country's code, in the config)")
	errNotPhone = errors.New("not a phone number")
)

// shortIn tells whether a number could be a short code of region: what
// banks and services send texts from.
func shortIn(raw, region string) bool {
	n, err := phonenumbers.Parse(raw, region)
	return err == nil && phonenumbers.IsPossibleShortNumberForRegion(n, region)
}

// maxNumber is the longest a number may be written, in bytes: what
// libphonenumber reads at most (its MAX_INPUT_STRING_LENGTH). E.164 has
// 15 digits; the rest is room for spaces, brackets and an extension.
const maxNumber = 250

// normal writes a number in E.164, read in the book's region when it has
// no country code.
// A number is read once; what it was read as is remembered.
func (b *Book) normal(raw string) (string, error) {
	if len(raw) > maxNumber {
		return "", errNotPhone // and not remembered: a memo of such would be gigabytes
	}
	b.mu.Lock()
	n, ok := b.memo[raw]
	b.mu.Unlock()
	if ok {
		return n.e164, n.err
	}
	number, _ := config.SplitPhone(raw) // an extension is no part of whose number it is, as in the config
	e, err := Normalize(number, b.region)
	b.mu.Lock()
	if b.memo == nil || len(b.memo) >= memoSize {
		b.memo = make(map[string]normalized)
	}
	b.memo[raw] = normalized{e, err}
	b.mu.Unlock()
	return e, err
}

// asciiDigits writes the digits of other scripts that libphonenumber knows
// (Arabic-Indic, Persian, fullwidth: what a phone set to Arabic, Farsi or
// Japanese may store) and the fullwidth plus in ASCII, so that the checks
// of Normalize see the number they are.
func asciiDigits(raw string) string {
	for i := 0; i < len(raw); i++ {
		if raw[i] >= utf8.RuneSelf {
			return strings.Map(func(c rune) rune {
				switch {
				case c == '＋':
					return '+'
				case c > unicode.MaxASCII && unicode.IsDigit(c):
					if d := phonenumbers.NormalizeDigitsOnly(string(c)); len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
						return rune(d[0])
					}
				}
				return c
			}, raw)
		}
	}
	return raw
}

// Normalize writes a number in E.164: "+447700900123". A number without
// a country code is read as one of region (a two-letter country code).
// Short codes (a bank's 5-digit sender), sender names and what is not a
// possible number of its country are errors that say which.
func Normalize(raw, region string) (string, error) {
	if len(raw) > maxNumber {
		return "", errNotPhone
	}
	raw = strings.TrimSpace(asciiDigits(raw))
	switch raw {
	case "", "-1", "-2", "-3": // what older Androids write for a call with none: unknown, private (withheld), a payphone
		return "", errNoNumber
	}
	digits, letters := 0, 0
	for _, c := range raw {
		switch {
		case unicode.IsDigit(c): // one of a script the library does not read is still no letter
			digits++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters++
		}
	}
	if region == "" && strings.HasPrefix(raw, "00") {
		// 00 is the way out of the country nearly everywhere: with no
		// region to say otherwise, it stands for +.
		raw = "+" + raw[2:]
	}
	international := strings.HasPrefix(raw, "+")
	switch {
	case digits == 0 || letters > 1:
		return "", errName
	case !international && digits <= 6 && (region == "" || shortIn(raw, region)):
		return "", errShort
	case !international && region == "":
		return "", errNoRegion
	}
	if region == "" {
		region = "ZZ"
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", errNotPhone
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
