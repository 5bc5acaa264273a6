package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/rules"
)

// occasions reads birthday = ... and the [contact.dates] table: each a
// TOML date (1990-04-12), or "--04-12" or "04-12" when the year is not
// known (as vCard writes it). A birthday must not be after today.
func (r *reader) occasions(t map[string]any, p path) []rules.Occasion {
	var out []rules.Occasion
	if v, ok := t["birthday"]; ok {
		if o, ok := r.occasion(v, p.with("birthday"), rules.Birthday); ok {
			if o.Year != 0 && time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, r.loc).After(r.now) {
				r.ps.add(p.with("birthday"), "%s is after today; a birthday is a day that has been", o.String())
			} else {
				out = append(out, o)
			}
		}
	}
	dates, ok := r.table(t, p, "dates")
	if !ok {
		return out
	}
	names := make([]string, 0, len(dates))
	for name := range dates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		at := p.with("dates", name)
		if strings.TrimSpace(name) == "" {
			r.ps.add(at, "a date needs a name: \"moved to Lisbon\" = 2025-09-15")
			continue
		}
		if o, ok := r.occasion(dates[name], at, name); ok {
			out = append(out, o)
		}
	}
	return out
}

// occasion reads one date that comes back each year.
func (r *reader) occasion(v any, at path, name string) (rules.Occasion, bool) {
	o, err := parseOccasion(v)
	if err != nil {
		r.ps.add(at, "%v", err)
		return rules.Occasion{}, false
	}
	o.Name = name
	return o, true
}

// parseOccasion reads the value of a birthday or another date that comes
// back each year: a TOML date, or the string "--MM-DD" or "MM-DD" when the
// year is not known.
func parseOccasion(v any) (rules.Occasion, error) {
	switch v := v.(type) {
	case time.Time:
		if loc := v.Location().String(); loc != "date-local" {
			return rules.Occasion{}, fmt.Errorf("an occasion is a day: write the date alone, as %s", v.Format("2006-01-02"))
		}
		return rules.Occasion{Year: v.Year(), Month: v.Month(), Day: v.Day()}, nil
	case string:
		return parseMonthDay(v)
	}
	return rules.Occasion{}, fmt.Errorf("must be a date such as 1990-04-12, or \"04-12\" when the year is not known, not %s", typeName(v))
}

// parseMonthDay reads "--MM-DD" or "MM-DD". 29 February is a day of the
// year; 30 February is not.
func parseMonthDay(s string) (rules.Occasion, error) {
	bad := func(why string) (rules.Occasion, error) {
		return rules.Occasion{}, fmt.Errorf("%q is not a day of the year (%s); write \"MM-DD\", such as \"04-12\", or a date without quotes, such as 1990-04-12", s, why)
	}
	md := strings.TrimPrefix(s, "--")
	if advice, ok := dateAdvice(s); ok {
		return rules.Occasion{}, fmt.Errorf("%q is not a date rekindle reads; %s", s, advice)
	}
	if len(md) != 5 || md[2] != '-' {
		if _, err := time.Parse("2006-01-02", s); err == nil {
			return rules.Occasion{}, fmt.Errorf("write dates without quotes, as %s, not %q", s, s)
		}
		return bad("not MM-DD")
	}
	m, err1 := strconv.Atoi(md[:2])
	d, err2 := strconv.Atoi(md[3:])
	if err1 != nil || err2 != nil {
		return bad("not MM-DD")
	}
	if m < 1 || m > 12 {
		return bad(fmt.Sprintf("there is no month %d", m))
	}
	// 2000 is a leap year: every day any year has.
	if d < 1 || d > time.Date(2000, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return bad(fmt.Sprintf("%s has no day %d", time.Month(m), d))
	}
	return rules.Occasion{Month: time.Month(m), Day: d}, nil
}
