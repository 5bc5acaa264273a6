package scheduler

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// untilConfig is 300 generated people and some with what the generator
// has not: occasions with a notice, someone new, a snooze, a let-be, a
// repeat waiting for remind_again, a reminder sent ahead of the clock,
// dates and events still to come.
func untilConfig(t *testing.T, schedule string) (*config.Config, recorded, func(time.Time) []Person) {
	var buf bytes.Buffer
	if err := contacts.Write(&buf, 300, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`
[defaults]
remind_again = "2d"
max_reminders = 3
occasion_notice = "36h"

[[contact]]
name = "Birthday Person"
last_interaction = 2026-11-20
birthday = 1990-12-03

[[contact]]
name = "Wedding Person"
last_interaction = 2026-11-29
[contact.dates]
wedding = "--12-05"

[[contact]]
name = "New Person"

[[contact]]
name = "Future Person"
last_interaction = 2026-12-06
reached_out = [2026-12-09]

[[contact]]
name = "Snoozed"
last_interaction = 2026-09-01

[[contact]]
name = "Repeat"
last_interaction = 2026-09-01

[[contact]]
name = "Ahead"
last_interaction = 2026-09-02
`)
	src := bytes.Replace(buf.Bytes(), []byte("[defaults]\nevery = \"30d\"\n"), nil, 1)
	src = bytes.Replace(src, []byte("[defaults]\n"), []byte("[defaults]\nevery = \"30d\"\n"), 1)
	src = bytes.Replace(src, []byte(`schedule = "0 9 * * *"`), []byte(`schedule = "`+schedule+`"`), 1)
	cfg := load(t, string(src))
	loc := cfg.Location
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	events := map[string][]journal.Event{
		"snoozed":         {{Kind: journal.Snooze, At: at("2026-11-30 10:00:00.000"), Until: at("2026-12-02 17:31:07.250")}},
		"alice-moreau-0":  {{Kind: journal.Talked, At: at("2026-12-04 13:13:13.013")}},
		"bob-moreau-1":    {{Kind: journal.LetBe, At: at("2026-11-29 08:00:00.000")}, {Kind: journal.Resume, At: at("2026-12-03 20:20:20.200")}},
		"chris-moreau-2":  {{Kind: journal.ReachedOut, At: at("2026-12-01 11:11:11.111")}},
		"dana-moreau-3":   {{Kind: journal.Fallout, At: at("2026-12-02 07:07:07.007")}},
		"future-person":   {{Kind: journal.Replied, At: at("2026-12-07 09:09:09.909")}},
		"birthday-person": {{Kind: journal.Snooze, At: at("2026-11-30 09:00:00.000"), Until: at("2026-12-01 12:34:56.789")}},
	}
	people := People(cfg, events)
	hist := recorded{}
	for _, id := range []string{"repeat", "ahead"} {
		for i := range people {
			if people[i].ID != id {
				continue
			}
			r := people[i].Evaluate(at("2026-11-30 09:00:00.000"))
			last := at("2026-11-30 09:00:00.000")
			if id == "ahead" {
				last = at("2026-12-03 15:16:17.180")
			}
			hist[identity(&people[i], &r)] = journal.Enqueued{Repeats: 1, Last: last}
		}
	}
	queued := func(t time.Time) []Person {
		ps := append([]Person(nil), people...)
		queue(cfg, ps, nil, firstRun(cfg, t), false)
		return ps
	}
	return cfg, hist, queued
}

// TestStatusesHoldUntil: the statuses at any instant from t to just
// before StatusesUntil are those at t, for instants over ten days, a
// little over seven hours apart (so they fall at every hour of the day);
// and the bound is of use: hours, not the next millisecond.
func TestStatusesHoldUntil(t *testing.T) {
	t.Parallel()
	cfg, hist, queued := untilConfig(t, "0 9 * * *")
	var held time.Duration
	n := 0
	start := berlin("2026-11-30 00:00").Add(1234 * time.Millisecond)
	for t0 := start; t0.Before(start.AddDate(0, 0, 10)); t0 = t0.Add(7*time.Hour + 13*time.Minute + 17*time.Second + 123*time.Millisecond) {
		ps := queued(t0)
		u := StatusesUntil(cfg, ps, hist, t0)
		if u.Before(t0) {
			t.Fatalf("at %v: until %v is before", t0, u)
		}
		held += u.Sub(t0)
		n++
		want := evaluateAll(ps, hist, t0.In(cfg.Location))
		for _, t1 := range []time.Time{t0.Add(u.Sub(t0) / 2), u.Add(-time.Millisecond), u.Add(-time.Nanosecond)} {
			if t1.Before(t0) {
				continue
			}
			got := evaluateAll(queued(t1), hist, t1.In(cfg.Location)) // as Snapshot does
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("statuses at %v held until %v, but %s changed at %v:\n%+v\n%+v", t0, u, want[i].ID, t1, want[i], got[i])
				}
			}
		}
	}
	if avg := held / time.Duration(n); avg < 30*time.Minute {
		t.Errorf("the statuses are said to hold %v on average: too short to be of use", avg)
	}
}

// TestPlanHoldsUntil: a plan from any instant up to just before PlanUntil
// over the same days is the plan from the first; with runs every day, and
// twice a week (when the run that leaves the window and the one that comes
// in at its end are on other days).
func TestPlanHoldsUntil(t *testing.T) {
	t.Parallel()
	for _, schedule := range []string{"0 9 * * *", "30 18 * * 1,4"} {
		t.Run(schedule, func(t *testing.T) { testPlanHoldsUntil(t, schedule) })
	}
}

func testPlanHoldsUntil(t *testing.T, schedule string) {
	cfg, hist, queued := untilConfig(t, schedule)
	const days = 20
	plan := func(from time.Time) string {
		ps := queued(from)
		var b bytes.Buffer
		for p := range Plan(cfg, ps, map[journal.Identity]journal.Enqueued(hist), from, from.AddDate(0, 0, days)) {
			fmt.Fprintf(&b, "%v %s %s %v %s\n", p.At, p.Contact.ID, p.Kind, p.Slot, p.Result.Reason(p.Slot))
		}
		return b.String()
	}
	var held time.Duration
	n := 0
	start := berlin("2026-11-30 00:00").Add(4321 * time.Millisecond)
	for t0 := start; t0.Before(start.AddDate(0, 0, 6)); t0 = t0.Add(5*time.Hour + 47*time.Minute + 3*time.Second) {
		u := PlanUntil(cfg, t0, days)
		held += u.Sub(t0)
		n++
		want := plan(t0)
		if want == "" {
			t.Fatalf("an empty plan from %v tests nothing", t0)
		}
		for _, t1 := range []time.Time{t0.Add(u.Sub(t0) / 2), u.Add(-time.Nanosecond)} {
			if t1.Before(t0) {
				continue
			}
			if got := plan(t1); got != want {
				t.Fatalf("the plan from %v held until %v, but from %v it is otherwise:\n%s\n---\n%s", t0, u, t1, want, got)
			}
		}
	}
	if avg := held / time.Duration(n); avg < 30*time.Minute {
		t.Errorf("the plan is said to hold %v on average: too short to be of use", avg)
	}
}

// TestStatusesUntilHeedsEachInput: for each input the statuses follow,
// one person whose status changes at a known instant X because of that
// input alone: StatusesUntil from before X is X or sooner, and the status
// just before X is the one at the start. Each case fails when its input is
// left out of StatusesUntil.
func TestStatusesUntilHeedsEachInput(t *testing.T) {
	t.Parallel()
	const head = "timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\n[defaults]\nevery = \"30d\"\nremind_again = \"2d\"\noccasion_notice = \"36h\"\n\n[[contact]]\nname = \"P\"\n"
	ms := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, berlin("2026-01-01").Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name   string
		config string
		events []journal.Event
		sent   *journal.Enqueued // the due reminder went out so
		from   string
		change string // X
	}{
		{"a snooze ends", "last_interaction = 2026-09-01\n",
			[]journal.Event{{Kind: journal.Snooze, At: ms("2026-11-30 08:00:00.000"), Until: ms("2026-12-01 13:14:15.161")}},
			nil, "2026-12-01 10:00:00.000", "2026-12-01 13:14:15.161"},
		{"a check-in comes due", "",
			[]journal.Event{{Kind: journal.Talked, At: ms("2026-11-01 13:14:15.161")}},
			nil, "2026-12-01 10:00:00.000", "2026-12-01 13:14:15.161"},
		{"an event dated ahead comes", "last_interaction = 2026-09-01\n",
			[]journal.Event{{Kind: journal.Talked, At: ms("2026-12-01 17:18:19.202")}},
			nil, "2026-12-01 10:00:00.000", "2026-12-01 17:18:19.202"},
		{"an occasion's notice begins", "last_interaction = 2026-11-25\nbirthday = 1990-12-03\n",
			nil, nil, "2026-12-01 08:00:00.000", "2026-12-01 12:00:00.000"},
		{"a repeat may come", "last_interaction = 2026-09-01\n",
			nil, &journal.Enqueued{Repeats: 1, Last: ms("2026-11-29 10:11:12.131")}, "2026-12-01 09:30:00.000", "2026-12-01 10:11:12.131"},
		{"a sending stamped ahead of the clock stops being ahead", "last_interaction = 2026-09-01\n",
			nil, &journal.Enqueued{Repeats: 1, Last: ms("2026-12-01 10:11:12.131")}, "2026-12-01 09:30:00.000", "2026-12-01 10:10:12.131"},
		{"the days since counted in the reason", "last_interaction = 2026-09-01\n",
			nil, nil, "2026-12-01 20:00:00.000", "2026-12-02 00:00:00.000"},
		{"the next run gives someone new their turn", "",
			nil, nil, "2026-12-01 08:00:00.000", "2026-12-01 09:00:00.000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, head+tc.config)
			people := People(cfg, map[string][]journal.Event{"p": tc.events})
			from, change := ms(tc.from), ms(tc.change)
			hist := recorded{}
			if tc.sent != nil {
				r := people[0].Evaluate(from)
				hist[identity(&people[0], &r)] = *tc.sent
			}
			at := func(t time.Time) Status {
				ps := append([]Person(nil), people...)
				queue(cfg, ps, nil, firstRun(cfg, t), false)
				return evaluateAll(ps, hist, t.In(cfg.Location))[0]
			}
			ps := append([]Person(nil), people...)
			queue(cfg, ps, nil, firstRun(cfg, from), false)
			before, after := at(from), at(change)
			if reflect.DeepEqual(before, after) {
				t.Fatalf("the case is wrong: the status does not change at %v:\n%+v", change, before)
			}
			if !reflect.DeepEqual(at(change.Add(-time.Nanosecond)), before) {
				t.Fatalf("the case is wrong: the status changes before %v", change)
			}
			if u := StatusesUntil(cfg, ps, hist, from); u.After(change) {
				t.Errorf("StatusesUntil from %v is %v, after the status changes at %v:\n%+v\n%+v", from, u, change, before, after)
			}
		})
	}
}

// TestPlanKeptInTheHourBeforeARun: in the hour before the daily run, the
// plan still holds until that run (it held for nothing then, when the
// bound was a fixed hour early: a repeat fetch of the feed made it anew).
func TestPlanKeptInTheHourBeforeARun(t *testing.T) {
	t.Parallel()
	cfg, _, _ := untilConfig(t, "0 9 * * *")
	for _, at := range []string{"2026-12-07 08:30", "2026-12-07 08:59", "2027-03-28 08:30", "2026-10-25 08:30"} {
		from := berlin(at)
		run := time.Date(from.Year(), from.Month(), from.Day(), 9, 0, 0, 0, cfg.Location)
		if u := PlanUntil(cfg, from, 60); !u.Equal(run) {
			t.Errorf("from %s: the plan holds until %v; want the run at %v", at, u, run)
		}
	}
}
