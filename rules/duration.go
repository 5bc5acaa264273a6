package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a span written by a person: calendar days (from "d" and "w")
// plus a clock part (from "h"). Days are calendar days in the configured time
// zone, so "30d" after midnight is midnight again thirty days later even when
// a DST change lies between; hours are exact elapsed time.
type Duration struct {
	Days  int
	Clock time.Duration
}

// IsZero reports whether d is the empty span, which turns a rule off where the
// rule allows it ("every = \"0\"").
func (d Duration) IsZero() bool { return d.Days == 0 && d.Clock == 0 }

// After returns the instant d after t, counting days on t's calendar.
func (d Duration) After(t time.Time) time.Time {
	if d.Days != 0 {
		t = t.AddDate(0, 0, d.Days)
	}
	return t.Add(d.Clock)
}

// Before returns the instant d before t, counting days on t's calendar.
func (d Duration) Before(t time.Time) time.Time {
	if d.Days != 0 {
		t = t.AddDate(0, 0, -d.Days)
	}
	return t.Add(-d.Clock)
}

// Approx returns d as elapsed time with 24-hour days; it is for ratios and
// sorting, never for due dates.
func (d Duration) Approx() time.Duration {
	return time.Duration(d.Days)*24*time.Hour + d.Clock
}

// String writes d back in the form ParseDuration reads: "3w", "2d", "36h",
// "1d12h" or "0".
func (d Duration) String() string {
	if d.IsZero() {
		return "0"
	}
	var b strings.Builder
	days := d.Days
	if days%7 == 0 && days != 0 {
		b.WriteString(strconv.Itoa(days / 7))
		b.WriteByte('w')
		days = 0
	}
	if days != 0 {
		b.WriteString(strconv.Itoa(days))
		b.WriteByte('d')
	}
	if d.Clock != 0 {
		h := d.Clock / time.Hour
		b.WriteString(strconv.FormatInt(int64(h), 10))
		b.WriteByte('h')
		if rest := d.Clock - h*time.Hour; rest != 0 {
			b.WriteString(strconv.FormatInt(int64(rest/time.Minute), 10))
			b.WriteByte('m')
		}
	}
	return b.String()
}

// Human writes d in words: "2 weeks", "90 days", "1 day 12 hours".
func (d Duration) Human() string {
	var parts []string
	days := d.Days
	if days != 0 && days%7 == 0 {
		parts = append(parts, plural(days/7, "week", "weeks"))
		days = 0
	}
	if days != 0 {
		parts = append(parts, plural(days, "day", "days"))
	}
	if h := int(d.Clock / time.Hour); h != 0 {
		parts = append(parts, plural(h, "hour", "hours"))
	}
	if len(parts) == 0 {
		return "0 days"
	}
	return strings.Join(parts, " ")
}

// maxDays bounds a duration to about 270 years, far beyond any sensible
// setting, so date arithmetic can never overflow.
const maxDays = 100000

// ParseDuration reads a span such as "36h", "2d", "3w" or "1w2d12h": one or
// more whole numbers each followed by a unit, w (weeks), d (days) or h
// (hours). "0" alone is the empty span. The error says what is wrong in words
// a person editing a config file can act on.
func ParseDuration(s string) (Duration, error) {
	if s == "0" {
		return Duration{}, nil
	}
	if s == "" {
		return Duration{}, fmt.Errorf("empty duration; write a number and a unit, such as \"2d\"")
	}
	var d Duration
	seen := map[byte]bool{}
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return Duration{}, fmt.Errorf("invalid duration %q: expected a number at %q; use h, d or w units, such as \"36h\", \"2d\" or \"3w\"", s, rest)
		}
		if i > 6 {
			return Duration{}, fmt.Errorf("invalid duration %q: number too large", s)
		}
		n, _ := strconv.Atoi(rest[:i])
		if i == len(rest) {
			return Duration{}, fmt.Errorf("invalid duration %q: missing unit after %s; use h, d or w, such as \"%sd\"", s, rest[:i], rest[:i])
		}
		unit := rest[i]
		if seen[unit] {
			return Duration{}, fmt.Errorf("invalid duration %q: unit %q given twice", s, string(unit))
		}
		seen[unit] = true
		switch unit {
		case 'w':
			d.Days += 7 * n
		case 'd':
			d.Days += n
		case 'h':
			d.Clock += time.Duration(n) * time.Hour
		default:
			u := rest[i:]
			if j := strings.IndexAny(u, "0123456789"); j > 0 {
				u = u[:j]
			}
			return Duration{}, fmt.Errorf("invalid duration %q: unknown unit %q; use h, d or w, such as \"36h\", \"2d\" or \"3w\"", s, u)
		}
		rest = rest[i+1:]
	}
	if d.Days+int(d.Clock/(24*time.Hour)) > maxDays {
		return Duration{}, fmt.Errorf("invalid duration %q: longer than %d days", s, maxDays)
	}
	return d, nil
}
