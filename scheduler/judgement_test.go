package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
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
	tmpl, err := notifier.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := 0
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
// the first run of its notice, in the plan and in the daemon's runs.
func TestOccasionFirstWhateverElseIsDue(t *testing.T) {
	cfg := load(t, `timezone = "Europe/Berlin"
max_per_run = 5
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
