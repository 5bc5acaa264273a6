package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// otherDate matches a date written in a form other than TOML's: 02.08.2026,
// 2.8.2026, 08/02/2026, 02-08-2026, 2026/08/02, 2026.08.02.
var otherDate = lazyRegexp(`^(\d{1,4})([./-])(\d{1,2})([./-])(\d{1,4})$`)

// dateAdvice says how to write s, a date in another form, as the config
// takes it: "write dates as 2026-08-02 (year-month-day), if you meant 2
// August 2026". Dots and dashes read day first (02.08.2026), slashes month
// first (08/02/2026), unless the first number cannot be a month; a year
// first reads year, month, day. ok is false when s is not such a date.
func dateAdvice(s string) (string, bool) {
	m := otherDate().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || m[2] != m[4] || (m[2] == "-" && len(m[1]) == 4) {
		return "", false // not a date, or TOML's own form in quotes
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	c, _ := strconv.Atoi(m[5])
	var year, month, day int
	switch {
	case len(m[1]) == 4:
		year, month, day = a, b, c
	case len(m[5]) == 4 && m[2] == "/" && a <= 12:
		year, month, day = c, a, b
	case len(m[5]) == 4:
		year, month, day = c, b, a
	default:
		return "", false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || t.Day() != day {
		return "", false
	}
	return fmt.Sprintf("write dates as %s (year-month-day), if you meant %s", t.Format("2006-01-02"), t.Format("2 January 2006")), true
}

// dateValue finds, on the line of a TOML syntax error, a key given a date
// in another form: `last_interaction = 02.08.2026`. The TOML library reads
// it as a number with leading zeros, or cannot read it at all.
var dateValue = lazyRegexp(`^\s*([A-Za-z0-9_"' .-]+?)\s*=\s*(\S+)\s*(#.*)?$`)

// explainDate turns a syntax error at line into what to write instead when
// the line gives a key a date in another form.
func explainDate(text string, line int) (Problem, bool) {
	lines := strings.Split(text, "\n")
	if line < 1 || line > len(lines) {
		return Problem{}, false
	}
	m := dateValue().FindStringSubmatch(strings.TrimRight(lines[line-1], "\r"))
	if m == nil {
		return Problem{}, false
	}
	advice, ok := dateAdvice(m[2])
	if !ok {
		return Problem{}, false
	}
	key := strings.Trim(m[1], `"'`)
	return Problem{Pos: Position{Line: line, Col: 1}, Key: key, Msg: fmt.Sprintf("%s is not a date rekindle reads; %s", m[2], advice)}, true
}
