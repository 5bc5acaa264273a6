package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// A follow-up that waits in the outbox for quiet hours to end is no
// longer due once a reply is learned from mail; other rows stay.
func TestStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, j, _ := quietRun(t)
	due := func(at time.Time) []journal.Delivery {
		rows, err := j.Due(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	morning := berlin("2026-12-02 08:00")
	rows := due(morning)
	if len(rows) != 3 {
		t.Fatalf("%d rows due; want dana's follow-up, ines's birthday and emil's check-in", len(rows))
	}
	if stale, err := Stale(ctx, cfg, j, rows, morning); err != nil || len(stale) != 0 {
		t.Errorf("with nothing logged: %v, %v", stale, err)
	}
	// At 01:00 both Dana and Ines reply by mail.
	learned := []journal.Event{
		{Contact: "dana", Kind: journal.Replied, At: berlin("2026-12-02 01:00"), Source: "maildir:home", Dedup: "d1"},
		{Contact: "ines", Kind: journal.Replied, At: berlin("2026-12-02 01:00"), Source: "maildir:home", Dedup: "i1"},
	}
	if _, err := j.AddLearned(ctx, learned, berlin("2026-12-02 07:00")); err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(ctx, cfg, j, rows, morning)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 1 {
		t.Fatalf("stale %v; want dana's follow-up alone (ines's birthday still comes, emil logged nothing)", stale)
	}
	for id, why := range stale {
		for _, r := range rows {
			if r.ID == id && (r.Contact != "dana" || r.Kind != "follow_up") {
				t.Errorf("stale row %+v", r)
			}
		}
		if !strings.HasPrefix(why, "no longer due: replied by email on 2026-12-02") {
			t.Errorf("why: %s", why)
		}
	}
}

// A check-in waiting in the outbox for quiet hours to end is no longer due
// once a calendar's read finds a meeting with the person still to come;
// when the meeting passes without being learned, the check-in comes back.
func TestStaleOnceAMeetingIsPlanned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := load(t, `timezone = "Europe/Berlin"
quiet_hours = "22:00-08:00"
[[contact]]
name = "Emil"
email = ["emil@example.org"]
last_interaction = 2026-09-01
`)
	tmpl, _ := compose.NewTemplates(nil)
	j := openJournal(t)
	run := berlin("2026-12-01 23:00")
	if _, err := RunOnce(ctx, cfg, tmpl, j, run, run); err != nil {
		t.Fatal(err)
	}
	morning := berlin("2026-12-02 08:00")
	rows, err := j.Due(ctx, morning)
	if err != nil || len(rows) != 1 {
		t.Fatalf("due rows %v, %v; want emil's check-in", rows, err)
	}
	// At 01:00 the calendar's read finds a coffee with Emil on Friday.
	fri := journal.PlannedMeeting{Contact: "emil", Start: berlin("2026-12-04 10:00"), End: berlin("2026-12-04 11:00")}
	if err := j.SetPlanned(ctx, "ics:google", "calendar", []journal.PlannedMeeting{fri}, berlin("2026-12-02 01:00")); err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(ctx, cfg, j, rows, morning)
	if err != nil {
		t.Fatal(err)
	}
	if why := stale[rows[0].ID]; !strings.HasPrefix(why, "no longer due: last talked on 2026-09-01; you are seeing them on Friday") {
		t.Errorf("stale %v; want emil's check-in, held by the meeting", stale)
	}
	// Until a day after the meeting's end he is not due (the calendar may
	// not have been read since it ended); then, not learned, he is.
	p, err := StatusOf(ctx, cfg, j, &cfg.Contacts[0], berlin("2026-12-05 10:59"))
	if err != nil || p.State != "ok" {
		t.Errorf("during the meeting: %+v, %v; want ok", p.State, err)
	}
	p, err = StatusOf(ctx, cfg, j, &cfg.Contacts[0], berlin("2026-12-05 11:00"))
	if err != nil || p.State != "due" {
		t.Errorf("after the meeting, not learned: %+v, %v; want due", p.State, err)
	}
	// The deliverer cancelled the held row; once the meeting has passed
	// unlearned, the check-in comes again a day after its end (here later
	// than the repeat of the row cancelled, remind_again after it).
	if err := j.MarkCancelled(ctx, []int64{rows[0].ID}, stale[rows[0].ID]); err != nil {
		t.Fatal(err)
	}
	if _, err := RunOnce(ctx, cfg, tmpl, j, berlin("2026-12-05 10:00"), berlin("2026-12-05 10:00")); err != nil {
		t.Fatal(err)
	}
	if rows, _ := j.Due(ctx, berlin("2026-12-05 10:30")); len(rows) != 0 {
		t.Errorf("a run within a day of the meeting's end enqueued %v", rows)
	}
	after := berlin("2026-12-05 11:00")
	if _, err := RunOnce(ctx, cfg, tmpl, j, after, after); err != nil {
		t.Fatal(err)
	}
	if rows, _ := j.Due(ctx, after); len(rows) != 1 || rows[0].Contact != "emil" {
		t.Errorf("after the meeting passed unlearned: due %v; want emil's check-in again", rows)
	}
}

// A sync stamps what it writes when its transaction begins, and commits
// it a moment later (a first sync's thousands of events, or a wait for the
// state file's lock): a run that began in between read the events without
// the reply, and its rows are created after the reply's stamp. The reply
// still makes the follow-up stale.
func TestStaleSeesAReplyStampedJustBeforeTheRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, j, run := quietRun(t)
	morning := berlin("2026-12-02 08:00")
	all, err := j.Due(ctx, morning)
	if err != nil {
		t.Fatal(err)
	}
	var rows []journal.Delivery
	for _, r := range all {
		if r.Contact == "dana" {
			rows = append(rows, r)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("due %v; want dana's follow-up", all)
	}
	// The sync stamped Dana's reply two seconds before the run began, and
	// committed it after the run had read the events.
	learned := []journal.Event{{Contact: "dana", Kind: journal.Replied, At: berlin("2026-12-01 22:30"), Source: "maildir:home", Dedup: "d1"}}
	if _, err := j.AddLearned(ctx, learned, run.Add(-2*time.Second)); err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(ctx, cfg, j, rows, morning)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stale[rows[0].ID], "no longer due: replied by email on 2026-12-01") {
		t.Errorf("stale %v; want dana's follow-up, which her reply ended", stale)
	}
}

// quietRun is a run at 23:00, in quiet hours, whose reminders (Dana's
// follow-up, Ines's birthday, Emil's check-in) wait for 08:00.
func quietRun(t *testing.T) (*config.Config, *journal.Journal, time.Time) {
	t.Helper()
	cfg := load(t, `timezone = "Europe/Berlin"
quiet_hours = "22:00-08:00"
[[contact]]
name = "Dana"
email = ["dana@example.org"]
last_interaction = 2026-10-01
reached_out = [2026-11-26]
[[contact]]
name = "Ines"
last_interaction = 2026-11-25
birthday = 1989-12-02
reached_out = [2026-11-28]
[[contact]]
name = "Emil"
last_interaction = 2026-09-01
`)
	tmpl, _ := compose.NewTemplates(nil)
	j := openJournal(t)
	run := berlin("2026-12-01 23:00")
	if _, err := RunOnce(context.Background(), cfg, tmpl, j, run, run); err != nil {
		t.Fatal(err)
	}
	return cfg, j, run
}
