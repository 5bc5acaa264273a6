package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// The cases of issue 18, tried on the plan and on the daemon's runs
// (RunOnce on a real journal), which must agree.

// people builds thirty contacts with only a name (Person 01 to 30).
func namesOnly(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "[[contact]]\nname = \"Person %02d\"\n", i)
	}
	return b.String()
}

// planLines lists the plan from after from up to until as "date id kind".
func planLines(t *testing.T, cfg *config.Config, j *journal.Journal, from, until time.Time) []string {
	t.Helper()
	people, hist, err := Load(context.Background(), cfg, j, from)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range Plan(cfg, people, hist, from, until) {
		out = append(out, p.Slot.Format("2006-01-02")+" "+p.Contact.ID+" "+string(p.Kind))
	}
	return out
}

// daemonLines makes the daemon's run at every slot after from up to until
// on j and lists what each enqueued as "date id kind" (one line per
// reminder, whatever the channels), in run order.
func daemonLines(t *testing.T, cfg *config.Config, j *journal.Journal, from, until time.Time) []string {
	t.Helper()
	ctx := context.Background()
	tmpl, err := compose.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	before, err := j.Deliveries(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := len(before)
	for slot := NextSlot(cfg.Schedule, from, cfg.Location); !slot.After(until); slot = NextSlot(cfg.Schedule, slot, cfg.Location) {
		if _, err := RunOnce(ctx, cfg, tmpl, j, slot, slot); err != nil {
			t.Fatal(err)
		}
		all, err := j.Deliveries(ctx, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var run []string
		for _, d := range all[:len(all)-seen] {
			run = append(run, slot.Format("2006-01-02")+" "+d.Contact+" "+d.Kind)
		}
		seen = len(all)
		slices.Sort(run)
		out = append(out, slices.Compact(run)...)
	}
	return out
}

// sorted is lines in order, for comparing a plan with runs.
func sorted(lines []string) string {
	s := slices.Clone(lines)
	slices.Sort(s)
	return strings.Join(s, "\n")
}

// on lists who lines remind about on day.
func on(lines []string, day string) []string {
	var out []string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, day+" "); ok {
			out = append(out, rest)
		}
	}
	return out
}

// Issue 18, item 1: thirty people with only a name are due with Mum's
// birthday two days ahead, max_per_run = 5. Her birthday comes first, on
// the first run of its notice, in the plan and in the daemon's runs. (No
// queue of new people here: all thirty are due at once, as they would be
// after a few days of the queue.)
func TestOccasionFirstWhateverElseIsDue(t *testing.T) {
	t.Parallel()
	cfg := load(t, `timezone = "Europe/Berlin"
max_per_run = 5
new_people_per_day = 0
`+namesOnly(30)+`
[[contact]]
name = "Mum"
birthday = "--12-02"
last_interaction = 2026-11-05
`)
	from, until := berlin("2026-11-30 10:00"), berlin("2026-12-04 10:00")
	j := openJournal(t)
	planned := planLines(t, cfg, j, from, until)
	ran := daemonLines(t, cfg, j, from, until)
	for name, lines := range map[string][]string{"plan": planned, "daemon": ran} {
		first := on(lines, "2026-12-01")
		if len(first) == 0 || first[0] != "mum occasion" {
			t.Errorf("%s: the run of 12-01 reminds about %q; want Mum's birthday first", name, first)
		}
		if len(first) > 5 {
			t.Errorf("%s: %d reminders on 12-01; max_per_run is 5", name, len(first))
		}
	}
	if sorted(planned) != sorted(ran) {
		t.Errorf("the plan and the daemon differ:\nplan:\n%s\n\ndaemon:\n%s", sorted(planned), sorted(ran))
	}
}

// Issue 18, item 2: under max_per_run, everyone is reminded once before
// anyone is reminded again.
func TestFirstRemindersBeforeRepeats(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("timezone = \"Europe/Berlin\"\nmax_per_run = 5\n[defaults]\nremind_again = \"3d\"\n")
	for i := 1; i <= 30; i++ {
		// Person 01 is the most overdue, Person 30 the least.
		fmt.Fprintf(&b, "[[contact]]\nname = \"Person %02d\"\nlast_interaction = 2026-10-%02d\n", i, i)
	}
	cfg := load(t, b.String())
	from, until := berlin("2026-11-30 10:00"), berlin("2026-12-12 10:00")
	j := openJournal(t)
	planned := planLines(t, cfg, j, from, until)
	ran := daemonLines(t, cfg, j, from, until)
	for name, lines := range map[string][]string{"plan": planned, "daemon": ran} {
		seen := map[string]bool{}
		for _, l := range lines {
			id := strings.Fields(l)[1]
			if seen[id] && len(seen) < 30 {
				t.Errorf("%s: %s is reminded again before everyone was reminded once (%d were)", name, l, len(seen))
			}
			seen[id] = true
		}
		if len(seen) != 30 {
			t.Errorf("%s: %d of 30 people reminded in 12 days", name, len(seen))
		}
	}
	if sorted(planned) != sorted(ran) {
		t.Errorf("the plan and the daemon differ:\nplan:\n%s\n\ndaemon:\n%s", sorted(planned), sorted(ran))
	}
}

// Issue 18, item 2: repeats space out (remind_again, then twice as long
// each time) and end after max_reminders; the person stays due in status,
// "reminded 3 times", with no next reminder, until something is logged.
func TestRepeatsSpaceOutAndEnd(t *testing.T) {
	t.Parallel()
	cfg := load(t, `timezone = "Europe/Berlin"
[defaults]
remind_again = "3d"
[[contact]]
name = "Alice"
last_interaction = 2026-10-01
[[contact]]
name = "Bea"
last_interaction = 2026-10-01
max_reminders = 1
`)
	from, until := berlin("2026-11-30 10:00"), berlin("2027-01-29 10:00")
	j := openJournal(t)
	planned := planLines(t, cfg, j, from, until)
	ran := daemonLines(t, cfg, j, from, until)
	want := "2026-12-01 alice check_in\n2026-12-01 bea check_in\n2026-12-04 alice check_in\n2026-12-10 alice check_in"
	for name, lines := range map[string][]string{"plan": planned, "daemon": ran} {
		if got := sorted(lines); got != want {
			t.Errorf("%s over 60 days:\n%s\nwant:\n%s", name, got, want)
		}
	}
	st, err := Snapshot(context.Background(), cfg, j, until)
	if err != nil {
		t.Fatal(err)
	}
	a := st[0]
	if a.State != "due" || !a.Next.IsZero() || !strings.Contains(a.Reason, "; reminded 3 times, the last on 2026-12-10; no more reminders until something is logged") {
		t.Errorf("Alice after her last reminder: %s, next %v, %q; want due, no next, reminded 3 times", a.State, a.Next, a.Reason)
	}
	if b := st[1]; !strings.HasSuffix(b.Reason, "; reminded on 2026-12-01, not again") {
		t.Errorf("Bea (max_reminders 1): %q", b.Reason)
	}
}

// Issue 18, item 3: an import of 300 people without a date adds at most
// new_people_per_day (3) reminders to any one day, in config order; status
// tells each queued one their turn; the turns are kept in the state file,
// so a reload with the config reordered and one more person does not
// reshuffle them; the plan shows the queue draining as the daemon does.
func TestNewPeopleComeInGently(t *testing.T) {
	t.Parallel()
	src := "timezone = \"Europe/Berlin\"\nmax_per_run = 0\n"
	cfg := load(t, src+namesOnly(300))
	j := openJournal(t)
	ctx := context.Background()
	now := berlin("2026-11-30 10:00") // the next run: 12-01 09:00

	st, err := Snapshot(ctx, cfg, j, now)
	if err != nil {
		t.Fatal(err)
	}
	due := 0
	for _, s := range st {
		if s.State == "due" {
			due++
		}
	}
	if due != 0 || !st[0].Next.Equal(berlin("2026-12-01")) || !st[299].Next.Equal(berlin("2027-03-10")) ||
		!strings.Contains(st[299].Reason, "their turn to be reminded comes on 2027-03-10") {
		t.Errorf("status before the first run: %d due; Person 001 next %v, Person 300 next %v %q", due, st[0].Next, st[299].Next, st[299].Reason)
	}

	until := now.AddDate(0, 0, 120)
	planned := planLines(t, cfg, j, now, until)
	// Five runs, then the config is reloaded reordered, with one more.
	ran := daemonLines(t, cfg, j, now, now.AddDate(0, 0, 5))
	var b strings.Builder
	b.WriteString(src + "[[contact]]\nname = \"Newcomer\"\n")
	for i := 300; i >= 1; i-- {
		fmt.Fprintf(&b, "[[contact]]\nname = \"Person %02d\"\n", i)
	}
	reloaded := load(t, b.String())
	ran = append(ran, daemonLines(t, reloaded, j, now.AddDate(0, 0, 5), until)...)

	var check []string
	for _, l := range ran {
		if !strings.Contains(l, "newcomer") {
			check = append(check, l)
		}
	}
	if sorted(planned) != sorted(check) {
		t.Errorf("the plan and the daemon (reloaded on day 5) differ:\nplan:\n%s\n\ndaemon:\n%s", sorted(planned), sorted(check))
	}
	perDay := map[string]int{}
	for i, l := range planned {
		f := strings.Fields(l)
		perDay[f[0]]++
		if want := fmt.Sprintf("person-%02d", i+1); f[1] != want || f[2] != "check_in" {
			t.Errorf("plan line %d: %s; want %s in config order", i, l, want)
		}
	}
	for day, n := range perDay {
		if n > 3 {
			t.Errorf("%s: %d new people reminded; at most 3 a day", day, n)
		}
	}
	if len(planned) != 300 || on(planned, "2027-03-10") == nil {
		t.Errorf("the queue drains in 100 days: %d reminded, last day %v", len(planned), on(planned, "2027-03-10"))
	}
	// The newcomer waits behind the 300: their turn is the day after.
	if got := on(ran, "2027-03-11"); len(got) != 1 || got[0] != "newcomer check_in" {
		t.Errorf("on 2027-03-11: %v; want the newcomer alone", got)
	}
}

// One person added without a date, with nobody queued, is reminded at the
// next run, as before the queue.
func TestOneNewPersonAtTheNextRun(t *testing.T) {
	t.Parallel()
	cfg := load(t, `timezone = "Europe/Berlin"
[[contact]]
name = "Old Friend"
last_interaction = 2026-11-20
[[contact]]
name = "New Friend"
`)
	j := openJournal(t)
	now := berlin("2026-11-30 10:00")
	ran := daemonLines(t, cfg, j, now, now.AddDate(0, 0, 1))
	if strings.Join(ran, "|") != "2026-12-01 new-friend check_in" {
		t.Errorf("the first run: %v; want New Friend", ran)
	}
}

// A year of daily runs on a real journal and the plan of the same year
// agree, with occasions, repeats and the queue of new people together:
// every birthday on the first run of its notice, no reminder more than
// max_reminders times, at most new_people_per_day new people a day, and
// nobody reminded more than 3 times in any 30 days.
func TestYearOfRuns(t *testing.T) {
	t.Parallel()
	cfg := load(t, `timezone = "Europe/Berlin"
max_per_run = 4
[defaults]
remind_again = "2d"
every = "30d"
[[contact]]
name = "Mum"
birthday = "--12-02"
last_interaction = 2026-11-05
[[contact]]
name = "Dad"
birthday = 1960-03-15
last_interaction = 2026-11-01
every = "14d"
[[contact]]
name = "Rita"
last_interaction = 2026-09-01
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-22]
[[contact]]
name = "Sam"
last_interaction = 2026-10-01
every = "7d"
`+namesOnly(40))
	from, until := berlin("2026-11-30 10:00"), berlin("2027-11-30 10:00")
	j := openJournal(t)
	planned := planLines(t, cfg, j, from, until)
	ran := daemonLines(t, cfg, j, from, until)
	if sorted(planned) != sorted(ran) {
		t.Fatalf("the plan and the daemon differ over a year:\nplan:\n%s\n\ndaemon:\n%s", sorted(planned), sorted(ran))
	}
	for _, want := range []string{"2026-12-01 mum occasion", "2027-03-14 dad occasion"} {
		if !slices.Contains(ran, want) {
			t.Errorf("no %q in the year", want)
		}
	}
	byDay := map[string][]string{}
	times := map[string][]time.Time{}
	for _, l := range ran {
		f := strings.Fields(l)
		byDay[f[0]] = append(byDay[f[0]], f[1])
		d, _ := time.Parse("2006-01-02", f[0])
		times[f[1]] = append(times[f[1]], d)
	}
	for day, ids := range byDay {
		n := 0
		for _, id := range ids {
			if strings.HasPrefix(id, "person-") {
				n++
			}
		}
		if n > 3 || len(ids) > 4 {
			t.Errorf("%s: %d reminders, %d of them new people: %v", day, len(ids), n, ids)
		}
	}
	for id, ts := range times {
		for i := range ts {
			k := 0
			for _, u := range ts[i:] {
				if u.Sub(ts[i]) < 30*24*time.Hour {
					k++
				}
			}
			// Nothing is logged: one episode, 3 reminders at most, and
			// an occasion besides.
			limit := 3
			if id == "mum" || id == "dad" {
				limit = 4
			}
			if k > limit {
				t.Errorf("%s: %d reminders in the 30 days from %s", id, k, ts[i].Format("2006-01-02"))
			}
		}
	}
}

// Years of reminders in the outbox before the current episodes change no
// decision: runs and status read the same with them as without them. The
// old history is written between two runs, after the current episodes,
// so that what is newest by date and what was written last differ.
func TestOldHistoryChangesNoDecision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, `timezone = "Europe/Berlin"
max_per_run = 6
[defaults]
remind_again = "2d"
max_reminders = 3
every = "30d"
[[contact]]
name = "Mum"
birthday = "--12-20"
last_interaction = 2026-11-05
[[contact]]
name = "Rita"
last_interaction = 2026-09-01
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-22]
[[contact]]
name = "Olaf"
last_interaction = 2026-08-15
fallout = 2026-11-20
cooldown = "10d"
[[contact]]
name = "Sam"
last_interaction = 2026-10-01
every = "7d"
`+namesOnly(12))
	from, mid, until := berlin("2026-11-30 10:00"), berlin("2026-12-12 10:00"), berlin("2027-01-10 10:00")
	tmpl, err := compose.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	// runs lists what each run from after from up to until enqueued, as
	// daemonLines does, reading back only the rows each run wrote.
	runs := func(j *journal.Journal, from, until time.Time) []string {
		var out []string
		for slot := NextSlot(cfg.Schedule, from, cfg.Location); !slot.After(until); slot = NextSlot(cfg.Schedule, slot, cfg.Location) {
			res, err := RunOnce(ctx, cfg, tmpl, j, slot, slot)
			if err != nil {
				t.Fatal(err)
			}
			if res.Enqueued == 0 {
				continue
			}
			rows, err := j.Deliveries(ctx, "", res.Enqueued)
			if err != nil {
				t.Fatal(err)
			}
			var run []string
			for _, d := range rows {
				run = append(run, slot.Format("2006-01-02")+" "+d.Contact+" "+d.Kind+" "+strconv.Itoa(d.Repeat))
			}
			slices.Sort(run)
			out = append(out, slices.Compact(run)...)
		}
		return out
	}
	plain, old := openJournal(t), openJournal(t)
	a, b := runs(plain, from, mid), runs(old, from, mid)

	// Every person and kind, an episode a month for two years before
	// the config's dates, each sent twice on two channels.
	var rows []journal.Row
	kinds := []string{"check_in", "follow_up", "cooldown_over", "occasion", "let_be"}
	for i := range cfg.Contacts {
		for _, k := range kinds {
			for m := 0; m < 24; m++ {
				id := journal.Identity{Contact: cfg.Contacts[i].ID, Kind: k, Anchor: berlin("2024-01-01").AddDate(0, m, i)}
				for r := 0; r < 2; r++ {
					for _, ch := range []string{"console", "phone"} {
						rows = append(rows, journal.Row{Identity: id, Repeat: r, Channel: ch, Message: []byte(`{}`)})
					}
				}
			}
		}
	}
	back := berlin("2025-12-31 09:00")
	if n, err := old.Enqueue(ctx, journal.Run{Slot: back, Started: back, Finished: back}, rows); err != nil || n != len(rows) {
		t.Fatalf("old history: %d rows, %v", n, err)
	}
	due, _ := old.Due(ctx, back.Add(time.Hour))
	var ids []int64
	for _, d := range due {
		if d.Created.Equal(back) {
			ids = append(ids, d.ID)
		}
	}
	old.MarkSent(ctx, ids[:len(ids)/2], back)
	old.MarkFailed(ctx, ids[len(ids)/2:], "410 gone")

	snap := func(j *journal.Journal, at time.Time) string {
		st, err := Snapshot(ctx, cfg, j, at)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v", st)
	}
	for _, at := range []time.Time{mid, mid.AddDate(0, 0, 3)} {
		if p, o := snap(plain, at), snap(old, at); p != o {
			t.Fatalf("status at %s with an old history:\n%s\nwithout:\n%s", at, o, p)
		}
	}
	a = append(a, runs(plain, mid, until)...)
	b = append(b, runs(old, mid, until)...)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("the runs with an old history:\n%s\nwithout:\n%s", strings.Join(b, "\n"), strings.Join(a, "\n"))
	}
	if len(a) < 20 {
		t.Errorf("only %d reminders over six weeks: the test shows little", len(a))
	}
	if p, o := snap(plain, until), snap(old, until); p != o {
		t.Fatalf("status at the end with an old history:\n%s\nwithout:\n%s", o, p)
	}
}
