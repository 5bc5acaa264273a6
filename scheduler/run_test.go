package scheduler

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/journal"
)

func openJournal(t *testing.T) *journal.Journal {
	t.Helper()
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// outbox lists the rows as "contact kind repeat channel" lines.
func outbox(t *testing.T, j *journal.Journal) []string {
	t.Helper()
	all, err := j.Deliveries(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range all {
		out = append(out, d.Contact+" "+d.Kind+" "+strconv.Itoa(d.Repeat)+" "+d.Channel)
	}
	sort.Strings(out)
	return out
}

const runConfig = `timezone = "Europe/Berlin"
quiet_hours = "22:00-07:00"
max_per_run = 2
[channels.phone]
type = "console"
[channels.mail]
type = "console"
[defaults]
remind_again = "3d"
[[contact]]
name = "Alice"
last_interaction = 2026-10-20
[[contact]]
name = "Bob"
last_interaction = 2026-11-20
every = "7d"
channels = ["phone"]
[[contact]]
name = "Carl"
last_interaction = 2026-01-01
every = "52w"
channels = ["mail"]
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-20, 2026-11-25]
channels = ["phone"]
`

func TestRunOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, runConfig)
	tmpl, _ := compose.NewTemplates(nil)
	j := openJournal(t)
	run := func(at string) Result {
		t.Helper()
		now := berlin(at)
		res, err := RunOnce(ctx, cfg, tmpl, j, now, now)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// 2026-12-01 09:00: Alice (12d late on 30d: 0.40), Bob (4d 9h on 7d: 0.63),
	// Dana's let-be notice (4d 9h on 30d: 0.15) and Carl (not yet due) ->
	// max_per_run keeps Bob and Alice.
	res := run("2026-12-01 09:00")
	if res.Due != 3 || res.Reminded != 2 || res.Enqueued != 3 || res.Deferred != 0 {
		t.Errorf("first run: %+v", res)
	}
	want := []string{"alice check_in 0 mail", "alice check_in 0 phone", "bob check_in 0 phone"}
	if got := outbox(t, j); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("outbox %v; want %v", got, want)
	}

	// The same slot again (a restart, a second daemon): nothing new, and
	// Dana, left over, now goes out.
	res = run("2026-12-01 09:00")
	if res.Enqueued != 1 || res.Waiting != 2 {
		t.Errorf("second run: %+v", res)
	}

	// A day later: everyone is within remind_again; nothing at all.
	if res = run("2026-12-02 09:00"); res.Enqueued != 0 || res.Waiting != 3 {
		t.Errorf("next day: %+v", res)
	}

	// Three days after the first: Alice and Bob again (repeat 1); Dana's
	// let-be notice never repeats.
	res = run("2026-12-04 09:00")
	if res.Enqueued != 3 || res.Reminded != 2 {
		t.Errorf("after remind_again: %+v", res)
	}
	got := outbox(t, j)
	for _, w := range []string{"alice check_in 1 mail", "bob check_in 1 phone", "dana let_be 0 phone"} {
		if !contains(got, w) {
			t.Errorf("outbox %v lacks %q", got, w)
		}
	}
	for _, g := range got {
		if strings.HasPrefix(g, "dana let_be 1") {
			t.Errorf("the let-be notice went out twice: %v", got)
		}
	}
	if last, _ := j.LastSlot(ctx); !last.Equal(berlin("2026-12-04 09:00")) {
		t.Errorf("last slot %v", last)
	}
}

func TestRunOnceQuietHoursAndDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, strings.Replace(runConfig, "max_per_run = 2", "max_per_run = 0\ndigest = true", 1))
	tmpl, _ := compose.NewTemplates(nil)
	j := openJournal(t)
	now := berlin("2026-12-01 23:30")
	res, err := RunOnce(ctx, cfg, tmpl, j, now, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reminded != 3 || res.Deferred != res.Enqueued {
		t.Errorf("%+v; want every row deferred", res)
	}
	if due, _ := j.Due(ctx, now.Add(7*time.Hour)); len(due) != 0 {
		t.Errorf("%d rows due inside quiet hours", len(due))
	}
	due, _ := j.Due(ctx, berlin("2026-12-02 07:00"))
	if len(due) != res.Enqueued {
		t.Fatalf("%d due at the end of quiet hours; want %d", len(due), res.Enqueued)
	}
	for _, d := range due {
		var m compose.Message
		if !d.Digest || json.Unmarshal(d.Message, &m) != nil || m.Title == "" || d.Batch == 0 || d.Batch != due[0].Batch {
			t.Errorf("row %+v: want a digest row of one batch with a rendered message", d)
		}
	}
}

func contains(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// TestStatusOfMatchesSnapshot: one person's status, read from their share
// of the journal, is what everyone's snapshot says of them: reminders
// sent, failures and retries included.
func TestStatusOfMatchesSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, runConfig)
	j := openJournal(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	j.Add(ctx, journal.Event{Contact: "bob", Kind: journal.ReachedOut, At: t0.Add(-30 * time.Hour), Source: "cli", Logged: t0})
	tmpl, _ := compose.NewTemplates(nil)
	if _, err := RunOnce(ctx, cfg, tmpl, j, t0, t0); err != nil {
		t.Fatal(err)
	}
	due, _ := j.Due(ctx, t0)
	j.MarkFailed(ctx, []int64{due[0].ID}, "server answered 401 (permanent)")
	j.MarkRetry(ctx, []int64{due[1].ID}, t0.Add(time.Hour), "server answered 503 (temporary)")
	at := t0.Add(2 * time.Hour)
	all, err := Snapshot(ctx, cfg, j, at)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Contacts {
		one, err := StatusOf(ctx, cfg, j, &cfg.Contacts[i], at)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, all[i]) {
			t.Errorf("%s:\nStatusOf %+v\nSnapshot %+v", cfg.Contacts[i].ID, one, all[i])
		}
	}
	if !strings.Contains(all[0].Reason+all[1].Reason+all[3].Reason, "failed") {
		t.Errorf("no failure shown; the test proves little: %+v", all)
	}
}

// TestRunOnceAfterAClockAhead: reminders that went out in a run made with
// the clock a month ahead are dated then; once the clock is set right,
// they must not wait for that date plus remind_again (a month of silence
// for those people while the schedule runs). Such a reminder goes again at
// the next run, once, and then every remind_again from that one.
func TestRunOnceAfterAClockAhead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, runConfig)
	tmpl, _ := compose.NewTemplates(nil)
	j := openJournal(t)
	run := func(at string) Result {
		t.Helper()
		now := berlin(at)
		res, err := RunOnce(ctx, cfg, tmpl, j, now, now)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run("2027-01-01 09:00"); res.Reminded != 2 {
		t.Fatalf("the run with the clock ahead: %+v", res)
	}
	// The clock set right: Bob and Alice (dated 2027-01-01) go again, but
	// a first reminder ranks before a repeat under max_per_run = 2: Dana's
	// let-be notice, which had waited, and Bob, the more overdue.
	if res := run("2026-12-01 09:00"); res.Reminded != 2 {
		t.Errorf("the first run with the clock set right: %+v; want Dana and Bob", res)
	}
	if got := outbox(t, j); !contains(got, "dana let_be 0 phone") || !contains(got, "bob check_in 1 phone") || contains(got, "alice check_in 1 mail") {
		t.Errorf("outbox %v; want Dana's notice and Bob again (repeat 1), Alice next", got)
	}
	// Alice's turn, the next day: hers too was dated ahead.
	if res := run("2026-12-02 09:00"); res.Reminded != 1 || !contains(outbox(t, j), "alice check_in 1 mail") {
		t.Errorf("a day later: %+v, outbox %v; want Alice again (repeat 1)", res, outbox(t, j))
	}
	// remind_again counts from that repeat, not from the date ahead, and
	// the next gap is twice the first: Bob's second repeat is due on 12-07.
	if res := run("2026-12-04 09:00"); res.Reminded != 0 {
		t.Errorf("three days after the repeat: %+v; want nobody (the second gap is 6 days)", res)
	}
	if res := run("2026-12-07 09:00"); res.Reminded != 1 || !contains(outbox(t, j), "bob check_in 2 phone") {
		t.Errorf("six days after the repeat: %+v, outbox %v; want Bob again (repeat 2)", res, outbox(t, j))
	}
}
