package scheduler

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/rules"
)

func load(t testing.TB, src string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func berlin(s string) time.Time {
	loc, _ := time.LoadLocation("Europe/Berlin")
	layout := "2006-01-02 15:04"
	if len(s) == 10 {
		layout = "2006-01-02"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		panic(err)
	}
	return v
}

func render(plan []Planned) string {
	var b strings.Builder
	for _, p := range plan {
		fmt.Fprintf(&b, "%s %s %s\n", p.At.Format("2006-01-02 15:04"), p.Contact.ID, p.Kind)
	}
	return b.String()
}

func TestPlan(t *testing.T) {
	t.Parallel()
	const head = "timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\n"
	tests := []struct {
		name   string
		config string
		events map[string][]journal.Event
		from   string
		days   int
		want   string
	}{
		{
			name: "check-in, then repeats after remind_again, twice as long each time, three in all",
			config: head + `[[contact]]
name = "A"
last_interaction = 2026-11-01
[[contact]]
name = "B"
last_interaction = 2026-11-01
remind_again = "1d"
max_reminders = 5
`,
			from: "2026-11-30", days: 60,
			want: "2026-12-01 09:00 a check_in\n2026-12-01 09:00 b check_in\n2026-12-02 09:00 b check_in\n" +
				"2026-12-04 09:00 a check_in\n2026-12-04 09:00 b check_in\n2026-12-08 09:00 b check_in\n" +
				"2026-12-10 09:00 a check_in\n2026-12-16 09:00 b check_in\n",
		},
		{
			name: "remind_again 0 reminds once",
			config: head + `[defaults]
remind_again = "0"
[[contact]]
name = "A"
last_interaction = 2026-11-01
`,
			from: "2026-11-30", days: 10,
			want: "2026-12-01 09:00 a check_in\n",
		},
		{
			name: "max_per_run takes the most overdue first, the rest wait",
			config: head + `max_per_run = 2
[defaults]
remind_again = "0"
[[contact]]
name = "Weekly"
every = "7d"
last_interaction = 2026-11-20
[[contact]]
name = "Monthly"
last_interaction = 2026-10-20
[[contact]]
name = "Yearly"
every = "52w"
last_interaction = 2025-10-01
`,
			// At 12-01 09:00: weekly is 4d 9h late on 7d (0.63), monthly 12d 9h on 30d (0.41),
			// yearly about 9 weeks late on 52 weeks (0.17).
			from: "2026-11-30 12:00", days: 3,
			want: "2026-12-01 09:00 weekly check_in\n2026-12-01 09:00 monthly check_in\n2026-12-02 09:00 yearly check_in\n",
		},
		{
			name: "quiet hours defer delivery to their end",
			config: `timezone = "Europe/Berlin"
schedule = "0 23 * * *"
quiet_hours = "22:00-07:30"
[defaults]
remind_again = "0"
[[contact]]
name = "A"
last_interaction = 2026-11-01
`,
			from: "2026-11-30", days: 3,
			want: "2026-12-02 07:30 a check_in\n",
		},
		{
			name: "cooldown, then cooldown_over on the first run after it",
			config: head + `[defaults]
remind_again = "0"
[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-20
cooldown = "21d"
`,
			from: "2026-11-30", days: 30,
			want: "2026-12-11 09:00 bob cooldown_over\n",
		},
		{
			name: "unanswered outreach: follow-up, then one let-be notice, then silence",
			config: head + `[defaults]
remind_again = "1d"
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-28T18:00:00]
`,
			events: map[string][]journal.Event{"dana": {
				{Contact: "dana", Kind: journal.ReachedOut, At: berlin("2026-12-02 12:00")},
			}},
			from: "2026-11-30", days: 20,
			// the follow-up is due 11-30 18:00 and repeats daily until the second
			// message on 12-02 12:00 (logged ahead); the let-be notice comes once.
			want: "2026-12-01 09:00 dana follow_up\n2026-12-02 09:00 dana follow_up\n2026-12-05 09:00 dana let_be\n",
		},
		{
			name: "paused and let-be people never appear; snooze delays",
			config: head + `[defaults]
remind_again = "0"
[[contact]]
name = "P"
paused = true
[[contact]]
name = "L"
last_interaction = 2026-01-01
[[contact]]
name = "S"
last_interaction = 2026-01-01
`,
			events: map[string][]journal.Event{
				"l": {{Contact: "l", Kind: journal.LetBe, At: berlin("2026-11-01")}},
				"s": {{Contact: "s", Kind: journal.Snooze, At: berlin("2026-11-29"), Until: berlin("2026-12-03 12:00")}},
			},
			from: "2026-11-30", days: 10,
			want: "2026-12-04 09:00 s check_in\n",
		},
		{
			name: "every 0: no check-ins",
			config: head + `[[contact]]
name = "A"
every = "0"
last_interaction = 2020-01-01
`,
			from: "2026-11-30", days: 60,
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := load(t, tt.config)
			from := berlin(tt.from)
			got := render(slices.Collect(Plan(cfg, People(cfg, tt.events), nil, from, from.AddDate(0, 0, tt.days))))
			if got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPlanStartsStrictlyAfterFrom(t *testing.T) {
	t.Parallel()
	cfg := load(t, "timezone = \"UTC\"\nschedule = \"0 9 * * *\"\n[[contact]]\nname = \"A\"\nlast_interaction = 2026-11-01\n")
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	plan := slices.Collect(Plan(cfg, People(cfg, nil), nil, from, from.AddDate(0, 0, 1)))
	if len(plan) != 1 || !plan[0].At.Equal(from.AddDate(0, 0, 1)) {
		t.Errorf("the run at from itself is not part of the plan: %v", render(plan))
	}
	js, _ := json.Marshal(plan)
	if string(js) != `[{"at":"2026-12-02T09:00:00Z","id":"a","kind":"check_in"}]` {
		t.Errorf("json: %s", js)
	}
}

func TestStatusesJSON(t *testing.T) {
	t.Parallel()
	cfg := load(t, `timezone = "Europe/Berlin"
[[contact]]
name = "Alice"
last_interaction = 2026-10-20
[[contact]]
name = "Chris"
paused = true
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-22, 2026-11-26]
[[contact]]
name = "New"
`)
	st := evaluateAll(People(cfg, nil), nil, berlin("2026-11-30 10:00"))
	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	json.Unmarshal(js, &docs)
	want := []map[string]any{
		{"id": "alice", "state": "due", "kind": "check_in", "last_interaction": "2026-10-20T00:00:00+02:00", "next": "2026-11-19T00:00:00+01:00"},
		{"id": "chris", "state": "paused", "kind": nil, "last_interaction": nil, "next": nil},
		{"id": "dana", "state": "let_be", "kind": "let_be", "next": "2026-11-28T00:00:00+01:00"},
		{"id": "new", "state": "due", "kind": "check_in", "last_interaction": nil, "next": "2026-11-30T10:00:00+01:00"},
	}
	for i, w := range want {
		for k, v := range w {
			if docs[i][k] != v {
				t.Errorf("%s.%s = %v; want %v", w["id"], k, docs[i][k], v)
			}
		}
		if r, _ := docs[i]["reason"].(string); r == "" {
			t.Errorf("%s has no reason", w["id"])
		}
	}
}

// TestStatusesInParallelKeepOrder checks that splitting a large list over
// cores gives each person their own status, in config order.
func TestStatusesInParallelKeepOrder(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("timezone = \"UTC\"\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "[[contact]]\nname = \"P%d\"\nlast_interaction = 2026-%02d-%02d\n", i, 1+i%11, 1+i%28)
	}
	cfg := load(t, b.String())
	people := People(cfg, nil)
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	st := evaluateAll(people, nil, at)
	for i := range people {
		r := people[i].Evaluate(at)
		if st[i].ID != people[i].ID || st[i].State != r.State || !st[i].Next.Equal(r.Next) {
			t.Fatalf("status %d is %+v; want %s in state %s", i, st[i], people[i].ID, r.State)
		}
	}
}

// TestDuePoolAgreesWithChoose: the plan's pool picks the same people in
// the same order as the daemon's choose, ties included (config order),
// over random cadences and due dates.
func TestDuePoolAgreesWithChoose(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	everies := []string{"1w", "2w", "30d", "90d", "0"}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for round := range 50 {
		var b strings.Builder
		b.WriteString("timezone = \"UTC\"\n")
		n := 1 + rng.IntN(40)
		for i := range n {
			fmt.Fprintf(&b, "[[contact]]\nname = \"P%d\"\nevery = %q\n", i, everies[rng.IntN(len(everies))])
		}
		cfg := load(t, b.String())
		people := People(cfg, nil)
		results := make([]rules.Result, n)
		pool := newDuePool()
		var cands []candidate
		for i := range people {
			r := rules.Result{Kind: rules.CheckIn, Next: at.Add(-time.Duration(rng.IntN(5)) * 24 * time.Hour)}
			if rng.IntN(6) > 0 {
				r.Last = r.Next.AddDate(0, -1, 0) // someone with no interaction on record ranks first
			}
			if rng.IntN(5) == 0 { // an occasion ranks before everyone, its day first
				r.Kind, r.OccasionDay = rules.OccasionKind, at.AddDate(0, 0, rng.IntN(3))
			}
			sent := rng.IntN(3) // a repeat ranks after every first reminder
			results[i] = r
			pool.add(&people[i], &r, sent, i)
			cands = append(cands, candidate{person: i, repeat: sent})
		}
		k := rng.IntN(n + 1)
		want := choose(people, results, cands, at, k)
		got := pool.take(at, k)
		if len(got) != len(want) {
			t.Fatalf("round %d: took %d; choose %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i].person {
				t.Fatalf("round %d: pool order %v; choose order %v", round, got, want)
			}
		}
	}
}
