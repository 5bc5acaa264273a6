package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/rules"
)

// parseDate reads a date as exports write it: 1990-04-12 or 19900412
// (with or without a time after it), --04-12 or --0412 when the year is not
// known (vCard 4.0), 04-12, and 4/12/1990 (Outlook, month first). omitYear
// is a year that stands for "not known" (Apple writes 1604); 0 for none.
// An empty value, or Outlook's 0/0/00, is ok = false with no error.
func parseDate(s string, omitYear int) (o rules.Occasion, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0/0/00" || s == "0/0/0000" {
		return o, false, nil
	}
	bad := func() (rules.Occasion, bool, error) {
		return rules.Occasion{}, false, fmt.Errorf("%q is not a date", s)
	}
	var y, m, d int
	var e1, e2, e3 error
	if i := strings.IndexByte(s, 'T'); i > 0 {
		s = s[:i]
	}
	switch {
	case strings.HasPrefix(s, "--"):
		md := strings.ReplaceAll(s[2:], "-", "")
		if len(md) != 4 {
			return bad()
		}
		m, e1 = strconv.Atoi(md[:2])
		d, e2 = strconv.Atoi(md[2:])
	case strings.Contains(s, "/"):
		parts := strings.Split(s, "/")
		if len(parts) != 3 {
			return bad()
		}
		m, e1 = strconv.Atoi(parts[0])
		d, e2 = strconv.Atoi(parts[1])
		y, e3 = strconv.Atoi(parts[2])
		if len(parts[2]) != 4 {
			return bad() // a two-digit year could be any century
		}
	case len(s) == 5 && s[2] == '-':
		m, e1 = strconv.Atoi(s[:2])
		d, e2 = strconv.Atoi(s[3:])
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, e3 = strconv.Atoi(s[:4])
		m, e1 = strconv.Atoi(s[5:7])
		d, e2 = strconv.Atoi(s[8:])
	case len(s) == 8:
		y, e3 = strconv.Atoi(s[:4])
		m, e1 = strconv.Atoi(s[4:6])
		d, e2 = strconv.Atoi(s[6:])
	default:
		return bad()
	}
	if e1 != nil || e2 != nil || e3 != nil || m < 1 || m > 12 || d < 1 || y < 0 {
		return bad()
	}
	if y == omitYear {
		y = 0
	}
	// A year that is not known is checked against a leap year: 29
	// February is a day of the year, 30 February is not.
	check := y
	if check == 0 {
		check = 2000
	}
	if d > daysIn(time.Month(m), check) {
		return bad()
	}
	return rules.Occasion{Year: y, Month: time.Month(m), Day: d}, true, nil
}

// daysIn is the number of days of month m of year y, as time.Date counts
// them (every fourth year a leap year but centuries, and every fourth
// century one): without making a time to see whether the day is in it.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// importDay is the time an import runs at, with the dates of that day and of
// the next in its zone, read once for every birthday of a file.
type importDay struct {
	now            time.Time
	date, tomorrow [3]int // year, month, day
}

func newImportDay(now time.Time) importDay {
	y, m, d := now.Date()
	ty, tm, td := time.Date(y, m, d+1, 12, 0, 0, 0, now.Location()).Date()
	return importDay{now: now, date: [3]int{y, int(m), d}, tomorrow: [3]int{ty, int(tm), td}}
}

// after tells whether midnight of o's date, in now's zone, is after now:
// at once for a date before today or after tomorrow, as a birthday is;
// for those two, by making that midnight (which a change of the clocks
// may move).
func (t importDay) after(o rules.Occasion) bool {
	date := [3]int{o.Year, int(o.Month), o.Day}
	switch {
	case less(date, t.date):
		return false
	case less(t.tomorrow, date):
		return true
	}
	return time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, t.now.Location()).After(t.now)
}

func less(a, b [3]int) bool {
	if a[0] != b[0] {
		return a[0] < b[0]
	}
	if a[1] != b[1] {
		return a[1] < b[1]
	}
	return a[2] < b[2]
}

// addDate adds the occasion read from value, or a note with the line when
// it cannot be read; a birthday after now is left out too.
func (p *Person) addDate(line int, name, value string, omitYear int, now importDay) {
	o, ok, err := parseDate(value, omitYear)
	if err != nil {
		p.Notes = append(p.Notes, Note{line, fmt.Sprintf("%s %v; left out", name, err)})
		return
	}
	if !ok {
		return
	}
	if name == rules.Birthday && o.Year != 0 && now.after(o) {
		p.Notes = append(p.Notes, Note{line, fmt.Sprintf("birthday %s is after today; left out", o)})
		return
	}
	for _, have := range p.Occasions {
		if have.Name == name {
			p.Notes = append(p.Notes, Note{line, fmt.Sprintf("a second %s; the first is kept", name)})
			return
		}
	}
	o.Name = name
	if name == rules.Birthday {
		// First, in the list's own array when it has room.
		p.Occasions = append(p.Occasions, o)
		copy(p.Occasions[1:], p.Occasions)
		p.Occasions[0] = o
		return
	}
	p.Occasions = append(p.Occasions, o)
}
