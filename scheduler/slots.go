// Package scheduler turns the rules into runs: when they happen (the cron
// schedule, with DST handled so a daily slot runs exactly once), when their
// messages may be delivered (quiet hours), and which reminders one run sends
// (max_per_run, remind_again). Plan simulates the runs ahead; Snapshot and
// StatusOf show everyone's state, or one person's, at one instant. It
// decides who and when; how a reminder reads is the notifier's.
package scheduler

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rekindle/rekindle/config"
)

// NextSlot returns the first scheduled run strictly after after, in loc
// unless the spec names its own CRON_TZ.
//
// robfig/cron follows wall-clock time literally, which around DST changes
// means a slot inside the skipped hour (02:30 on a spring-forward day) never
// runs that day and a slot inside the repeated hour (01:30 on a fall-back
// day) runs twice. NextSlot fixes both: a skipped slot runs at the instant
// its wall time normalizes to (02:30 becomes 03:30), and a repeated wall time
// runs only at its first occurrence.
func NextSlot(s cron.Schedule, after time.Time, loc *time.Location) time.Time {
	after = after.In(loc)
	n := s.Next(after)
	spec, ok := s.(*cron.SpecSchedule)
	if !ok || n.IsZero() {
		return n
	}
	zone := loc
	if spec.Location != time.Local {
		zone = spec.Location
	}
	for i := 0; i < 4 && repeatedWallTime(n); i++ {
		n = s.Next(n)
	}
	if g := inGap(spec, after, n, zone); !g.IsZero() {
		return g
	}
	return n.In(loc)
}

// repeatedWallTime reports whether t's wall-clock time already happened
// earlier, before a fall-back change.
func repeatedWallTime(t time.Time) bool {
	_, offNow := t.Zone()
	_, offBefore := t.Add(-3 * time.Hour).Zone()
	if offBefore <= offNow {
		return false
	}
	earlier := t.Add(-time.Duration(offBefore-offNow) * time.Second)
	return wall(earlier) == wall(t)
}

type wallClock struct {
	y           int
	m           time.Month
	d, h, mi, s int
}

func wall(t time.Time) wallClock {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return wallClock{y, m, d, h, mi, s}
}

// inGap finds a slot that robfig/cron skipped because its wall time did not
// exist (a spring-forward gap between after and n), and returns the instant
// it maps to; zero when there is none.
func inGap(spec *cron.SpecSchedule, after, n time.Time, zone *time.Location) time.Time {
	_, offA := after.In(zone).Zone()
	_, offN := n.In(zone).Zone()
	if offN <= offA {
		return time.Time{}
	}
	// Evaluate the spec on a clock that never jumps: the offset before the
	// change. A wall time it finds that does not exist in zone was skipped.
	fz := time.FixedZone("before-dst", offA)
	fixed := *spec
	fixed.Location = fz
	c := fixed.Next(after)
	if c.IsZero() {
		return time.Time{}
	}
	c = c.In(fz)
	real := c.In(zone)
	if wall(real) == wall(c) || !real.After(after) || !real.Before(n) {
		return time.Time{}
	}
	return real
}

// deliverTime returns when a message produced at t may be delivered: t, or
// the end of the quiet hours when t falls inside them.
func deliverTime(q config.QuietHours, t time.Time) time.Time {
	if !q.Set {
		return t
	}
	h, m, _ := t.Clock()
	now := h*60 + m
	var inside, tomorrow bool
	if q.Start < q.End {
		inside = now >= q.Start && now < q.End
	} else { // wraps past midnight: 22:00-08:00
		inside = now >= q.Start || now < q.End
		tomorrow = now >= q.Start
	}
	if !inside {
		return t
	}
	y, mo, d := t.Date()
	if tomorrow {
		d++
	}
	return time.Date(y, mo, d, q.End/60, q.End%60, 0, 0, t.Location())
}
