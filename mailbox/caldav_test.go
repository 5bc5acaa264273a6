package mailbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/davhttp"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
	"github.com/rekindle/rekindle/journal"
)

// at is an iCalendar UTC time.
func at(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// calSource is a config with people and one calendar source.
func calSource(t *testing.T, table string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "config.toml"), []byte(people+"\n[sources.cal]\n"+table))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func radicaleTable(s *radicaletest.Server, extra string) string {
	return fmt.Sprintf("type = \"caldav\"\nurl = %q\nusername = %q\npassword = %q\nme = [\"me@home.example\"]\n%s", s.URL, s.User, s.Password, extra)
}

// The meetings of the README's "Learning from your calendar" on a real
// CalDAV server, found from its bare address: accepted counts, declined,
// cancelled and too large do not, a weekly meeting counts each week it
// happened (not the week struck out, the week moved on the day it moved
// to); a second sync learns nothing and, the calendar unchanged, reads
// nothing; a meeting added is read on the next.
func TestCalDAVMeetings(t *testing.T) {
	t.Parallel()
	s := radicaletest.Start(t, radicaletest.Options{})
	work := s.MakeCalendar(t, "work", "Work")
	s.MakeCalendar(t, "holidays", "Holidays")
	now := time.Now().Truncate(time.Second)
	day := func(d int) time.Time { return now.Add(time.Duration(d) * 24 * time.Hour) }
	const me = "mailto:me@home.example"
	put := func(name string, events ...string) { s.Put(t, work+name+".ics", vcal(events...)) }
	put("accepted", fmt.Sprintf("UID:accepted\nSUMMARY:Coffee\nDESCRIPTION:not to be read\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:%s", at(day(-2)), at(day(-2).Add(time.Hour)), me))
	put("declined", fmt.Sprintf("UID:declined\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:bo@example.net\nATTENDEE;PARTSTAT=DECLINED:%s", at(day(-3)), at(day(-3).Add(time.Hour)), me))
	put("invited", fmt.Sprintf("UID:invited\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:bo@example.net\nATTENDEE;PARTSTAT=NEEDS-ACTION:%s", at(day(-4)), at(day(-4).Add(time.Hour)), me))
	put("cancelled", fmt.Sprintf("UID:cancelled\nSTATUS:CANCELLED\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:bo@example.net", at(day(-5)), at(day(-5).Add(time.Hour)), me))
	put("crowd", fmt.Sprintf("UID:crowd\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:bo@example.net\nATTENDEE:mailto:a@x.example\nATTENDEE:mailto:b@x.example\nATTENDEE:mailto:c@x.example\nATTENDEE:mailto:d@x.example", at(day(-6)), at(day(-6).Add(time.Hour)), me))
	// Weekly with Bo for five weeks up to last week: week 2 struck out,
	// week 3 moved a day later.
	first := day(-36)
	put("weekly",
		fmt.Sprintf("UID:weekly\nDTSTART:%s\nDTEND:%s\nRRULE:FREQ=WEEKLY;COUNT=5\nEXDATE:%s\nORGANIZER:%s\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bo@example.net",
			at(first), at(first.Add(time.Hour)), at(first.AddDate(0, 0, 7)), me),
		fmt.Sprintf("UID:weekly\nRECURRENCE-ID:%s\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bo@example.net",
			at(first.AddDate(0, 0, 14)), at(first.AddDate(0, 0, 15)), at(first.AddDate(0, 0, 15).Add(time.Hour)), me))
	// Not yet over: it counts once it ends.
	put("today", fmt.Sprintf("UID:today\nDTSTART:%s\nDTEND:%s\nORGANIZER:%s\nATTENDEE:mailto:ana@example.org", at(now.Add(-time.Hour)), at(now.Add(time.Hour)), me))

	cfg := calSource(t, radicaleTable(s, `calendars = ["Work"]`))
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var seen []string
	sync := func(now time.Time) Result {
		t.Helper()
		res, err := (&Sync{Source: cfg.Sources["cal"], People: NewPeople(cfg), Store: j, Now: now, Seen: func(x Seen) {
			seen = append(seen, x.Learned.Ignored)
		}}).Run(ctx)
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		return res
	}
	res := sync(now)
	evs, err := j.History(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Kind != journal.Talked || e.Source != "caldav:cal" {
			t.Errorf("event %+v", e)
		}
		got = append(got, e.Contact+" "+e.At.UTC().Format(time.DateOnly))
	}
	slices.Sort(got)
	want := []string{"ana-lima " + day(-2).UTC().Format(time.DateOnly)}
	for _, d := range []int{0, 15, 21, 28} {
		want = append(want, "bo "+first.AddDate(0, 0, d).UTC().Format(time.DateOnly))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("learned\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	slices.Sort(seen)
	wantSeen := []string{"", "", "", "", "", "6 people (more than max_attendees = 5)", "an invitation you did not accept (declined)",
		"an invitation you did not accept (needs-action)", "cancelled", "has not ended yet"}
	if !slices.Equal(seen, wantSeen) {
		t.Errorf("judged %q\nwant %q", seen, wantSeen)
	}
	if res.Added != 5 || res.Read != 10 {
		t.Errorf("first sync: %+v", res)
	}

	// Unchanged, and no meeting has ended since: nothing is read.
	if res := sync(now.Add(time.Minute)); res.Read != 0 || res.Added != 0 {
		t.Errorf("unchanged calendar: %+v; want nothing read", res)
	}
	// Once today's meeting has ended, it counts, though nothing changed.
	if res := sync(now.Add(2 * time.Hour)); res.Added != 1 {
		t.Errorf("after today's meeting ended: %+v; want it learned", res)
	}
	// A meeting added is read; the rest is learned once only.
	put("added", fmt.Sprintf("UID:added\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:%s", at(day(-1)), at(day(-1).Add(time.Hour)), me))
	if res := sync(now.Add(3 * time.Hour)); res.Added != 1 || res.Read == 0 {
		t.Errorf("after a meeting was added: %+v; want one event", res)
	}
}

// A wrong password is said as such, with the fix, and without the
// password; a calendar named that the server does not have names the ones
// it has.
func TestCalDAVRefusals(t *testing.T) {
	t.Parallel()
	s := radicaletest.Start(t, radicaletest.Options{})
	s.MakeCalendar(t, "work", "Work")
	ctx := context.Background()

	wrong := "not-the-password-42"
	cfg := calSource(t, fmt.Sprintf("type = \"caldav\"\nurl = %q\nusername = %q\npassword = %q\nme = [\"me@home.example\"]\n", s.URL, s.User, wrong))
	_, err := Check(ctx, cfg.Sources["cal"])
	if err == nil || !errors.Is(err, davhttp.ErrRefused) || !strings.Contains(err.Error(), "refused the login of me") || !strings.Contains(hint.Of(err), "password") {
		t.Errorf("wrong password: %v (hint %q)", err, hint.Of(err))
	}
	if err != nil && strings.Contains(err.Error(), wrong) {
		t.Errorf("the error shows the password: %v", err)
	}

	cfg = calSource(t, radicaleTable(s, `calendars = ["Family"]`))
	_, err = Check(ctx, cfg.Sources["cal"])
	if err == nil || !strings.Contains(hint.Of(err), `"Work"`) {
		t.Errorf("an unknown calendar: %v (hint %q)", err, hint.Of(err))
	}
	cfg = calSource(t, radicaleTable(s, ""))
	if got, err := Check(ctx, cfg.Sources["cal"]); err != nil || !slices.Equal(got, []string{"Work"}) {
		t.Errorf("check: %v, %v", got, err)
	}
}

// A server whose certificate an unknown authority signed is refused, with
// the fix; with that authority in ca_file it is read.
func TestCalDAVUnknownCA(t *testing.T) {
	t.Parallel()
	s := radicaletest.Start(t, radicaletest.Options{TLS: true})
	s.MakeCalendar(t, "work", "Work")
	ctx := context.Background()
	cfg := calSource(t, radicaleTable(s, ""))
	_, err := Check(ctx, cfg.Sources["cal"])
	if err == nil || !strings.Contains(err.Error(), "does not verify") || !strings.Contains(hint.Of(err), "ca_file") {
		t.Errorf("unknown authority: %v (hint %q)", err, hint.Of(err))
	}
	cfg = calSource(t, radicaleTable(s, fmt.Sprintf("ca_file = %q", s.CAFile)))
	if got, err := Check(ctx, cfg.Sources["cal"]); err != nil || !slices.Equal(got, []string{"Work"}) {
		t.Errorf("with ca_file: %v, %v", got, err)
	}
}

// On a real CalDAV server, a meeting to come is asked for and kept as
// planned: an accepted coffee with Ana on Friday and the next week of a
// weekly one with Bo; one tentative is not. Cancelled on the server, the
// coffee is gone after the next read; the weekly one stays.
func TestCalDAVMeetingsToCome(t *testing.T) {
	t.Parallel()
	s := radicaletest.Start(t, radicaletest.Options{})
	work := s.MakeCalendar(t, "work", "Work")
	now := time.Now().Truncate(time.Second)
	const me = "mailto:me@home.example"
	fri := now.Add(4 * 24 * time.Hour)
	coffee := func(status string) string {
		return fmt.Sprintf("UID:coffee\n%sDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=ACCEPTED:%s", status, at(fri), at(fri.Add(time.Hour)), me)
	}
	s.Put(t, work+"coffee.ics", vcal(coffee("")))
	s.Put(t, work+"tentative.ics", vcal(fmt.Sprintf("UID:tentative\nDTSTART:%s\nDTEND:%s\nORGANIZER:mailto:ana@example.org\nATTENDEE;PARTSTAT=TENTATIVE:%s", at(fri.Add(24*time.Hour)), at(fri.Add(25*time.Hour)), me)))
	weekly := now.Add(-3 * 24 * time.Hour)
	s.Put(t, work+"weekly.ics", vcal(fmt.Sprintf("UID:weekly\nDTSTART:%s\nDTEND:%s\nRRULE:FREQ=WEEKLY;COUNT=2\nORGANIZER:%s\nATTENDEE:mailto:bo@example.net", at(weekly), at(weekly.Add(time.Hour)), me)))
	cfg := calSource(t, radicaleTable(s, ""))
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	sync := func(now time.Time) {
		t.Helper()
		if _, err := (&Sync{Source: cfg.Sources["cal"], People: NewPeople(cfg), Store: j, Now: now}).Run(ctx); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
	planned := func(id string) []string {
		t.Helper()
		evs, err := j.EventsOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			if e.Kind == journal.Planned {
				out = append(out, at(e.At)+"-"+at(e.Until))
			}
		}
		return out
	}
	sync(now)
	if got, want := planned("ana-lima"), []string{at(fri) + "-" + at(fri.Add(time.Hour))}; !slices.Equal(got, want) {
		t.Errorf("ana planned %v; want the accepted coffee %v", got, want)
	}
	next := weekly.AddDate(0, 0, 7)
	if got, want := planned("bo"), []string{at(next) + "-" + at(next.Add(time.Hour))}; !slices.Equal(got, want) {
		t.Errorf("bo planned %v; want the weekly meeting's next week %v", got, want)
	}
	s.Put(t, work+"coffee.ics", vcal(coffee("STATUS:CANCELLED\n")))
	sync(now.Add(time.Minute))
	if got := planned("ana-lima"); len(got) != 0 {
		t.Errorf("after the cancel, ana planned %v; want none", got)
	}
	if got := planned("bo"); len(got) != 1 {
		t.Errorf("after the cancel, bo planned %v; want the weekly meeting still", got)
	}
}
