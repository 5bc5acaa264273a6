package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// scheduleParser reads 5 fields, an optional leading seconds field,
// descriptors such as @daily and @every 1h, and CRON_TZ= prefixes.
var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a cron spec and rejects one that never fires.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("invalid schedule %q: %v; write five fields \"minute hour day-of-month month day-of-week\" such as \"0 9 * * *\", or @daily, or @every 12h", spec, err)
	}
	// robfig/cron gives up after five years without a match.
	ref := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(ref).IsZero() {
		return nil, fmt.Errorf("schedule %q never fires (no such date); check the day-of-month and month fields", spec)
	}
	return s, nil
}

// QuietHours is a daily window during which nothing is delivered. Start and
// End are minutes after midnight; the window may wrap past midnight. The
// zero value is no quiet hours.
type QuietHours struct {
	Start, End int
	Set        bool
}

// ParseQuietHours reads "22:00-08:00".
func ParseQuietHours(s string) (QuietHours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("invalid quiet hours %q; write a window such as \"22:00-08:00\"", s)
	}
	start, err1 := clock(strings.TrimSpace(a))
	end, err2 := clock(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return QuietHours{}, fmt.Errorf("invalid quiet hours %q; write a window such as \"22:00-08:00\" with 24-hour times", s)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("quiet hours %q start and end at the same time; leave quiet_hours out for none", s)
	}
	return QuietHours{Start: start, End: end, Set: true}, nil
}

func clock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return 0, fmt.Errorf("bad clock time")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad clock time")
	}
	return hh*60 + mm, nil
}

func (q QuietHours) String() string {
	if !q.Set {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}
