package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/smsbackup"
)

// TestSyncPhoneBackup: the real binary, a folder of SMS Backup & Restore
// files as Syncthing leaves them. Mum is due for a check-in; a call with
// her in the backup makes it go away, and a text sent to Bo puts him into
// waiting for his reply; a missed call and a group text teach nothing.
// sync --check lists the files, sync --dry-run says why of each record,
// and plan and status --json agree, before and after.
func TestSyncPhoneBackup(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	e := newEnv(t, `region = "GB"

[sources.phone]
type = "phonebackup"
path = "phone"

[[contact]]
name = "Mum"
phone = ["07700 900123"]
every = "7d"
last_interaction = `+now.AddDate(0, 0, -30).Format(time.DateOnly)+`

[[contact]]
name = "Bo"
phone = ["+44 7700 900456"]
every = "90d"
last_interaction = `+now.AddDate(0, 0, -10).Format(time.DateOnly)+`
`)
	dir := filepath.Join(e.dir, "phone")
	os.Mkdir(dir, 0o700)
	call, text := now.Add(-2*time.Hour), now.Add(-time.Hour)
	write := func(name string, fill func(f *os.File) *smsbackup.Writer) {
		t.Helper()
		// Written aside and renamed in, as Syncthing does.
		tmp := filepath.Join(dir, ".syncthing."+name+".tmp")
		f, err := os.Create(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if err := fill(f).Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("calls-20261207090000.xml", func(f *os.File) *smsbackup.Writer {
		w := smsbackup.NewCalls(f, 2)
		w.Call(smsbackup.Call{Number: "07700900123", At: call.Add(-10 * time.Minute), Type: smsbackup.CallMissed, Name: "Mum"})
		w.Call(smsbackup.Call{Number: "+447700900123", At: call, Type: smsbackup.CallIncoming, Duration: 1260, Name: "Mum"})
		return w
	})
	write("sms-20261207090000.xml", func(f *os.File) *smsbackup.Writer {
		w := smsbackup.NewSMS(f, 2)
		w.SMS(smsbackup.SMS{Address: "07700 900456", At: text, Type: smsbackup.SMSSent, Body: "Long time! Coffee soon?"})
		w.MMS(smsbackup.MMS{At: text.Add(time.Minute), Box: 2, To: []string{"+447700900456", "+447700900123"}, Text: "Family dinner Sunday"})
		return w
	})

	run := func(args ...string) string {
		t.Helper()
		out, err := e.command(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rekindle %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	type person struct {
		ID, State       string
		Kind            *string
		LastInteraction *string `json:"last_interaction"`
		Next            *string
	}
	status := func() map[string]person {
		t.Helper()
		var ps []person
		if out := run("status", "--json"); json.Unmarshal([]byte(out), &ps) != nil {
			t.Fatalf("status --json: %s", out)
		}
		m := map[string]person{}
		for _, p := range ps {
			m[p.ID] = p
		}
		return m
	}
	type reminder struct{ At, ID, Kind string }
	plan := func(days string) []reminder {
		t.Helper()
		var rs []reminder
		if out := run("plan", "--days", days, "--json"); json.Unmarshal([]byte(out), &rs) != nil {
			t.Fatalf("plan --json: %s", out)
		}
		return rs
	}
	// agree: each person's first reminder in the plan comes at or after
	// the moment status says it becomes due, of the kind it will be; one
	// that status gives no next has none.
	agree := func(when string, st map[string]person, rs []reminder) {
		t.Helper()
		first := map[string]reminder{}
		for _, r := range rs {
			if _, ok := first[r.ID]; !ok {
				first[r.ID] = r
			}
		}
		for id, r := range first {
			p := st[id]
			if p.Next == nil || r.At < *p.Next {
				t.Errorf("%s: plan reminds %s at %s (%s); status says next %v", when, id, r.At, r.Kind, p.Next)
			}
		}
	}

	st := status()
	if st["mum"].State != "due" || st["mum"].Kind == nil || *st["mum"].Kind != "check_in" || st["bo"].State != "ok" {
		t.Fatalf("before: %+v", st)
	}
	before := plan("3")
	if len(before) == 0 || before[0].ID != "mum" || before[0].Kind != "check_in" {
		t.Errorf("before: plan %+v; want Mum's check-in first", before)
	}
	agree("before", st, before)

	if out := run("sync", "--check"); !strings.Contains(out, "phone  phonebackup  ok: "+filepath.Join(dir, "calls-20261207090000.xml")+", "+filepath.Join(dir, "sms-20261207090000.xml")) {
		t.Errorf("sync --check:\n%s", out)
	}
	dry := run("sync", "--dry-run")
	for _, want := range []string{"phone  phone  " + call.Format("2006-01-02 15:04") + "  talked       mum",
		"phone  phone  " + text.Format("2006-01-02 15:04") + "  reached-out  bo",
		"ignored      a call missed", "ignored      a group text (2 numbers)",
		"phone: 4 calls and texts read, 2 used, 2 ignored, 0 unreadable; nothing written (dry run)"} {
		if !strings.Contains(dry, want) {
			t.Errorf("sync --dry-run does not say %q:\n%s", want, dry)
		}
	}
	if strings.Contains(dry, "Coffee") || strings.Contains(dry, "dinner") || strings.Contains(dry, "900456") {
		t.Errorf("sync --dry-run shows a body or a number:\n%s", dry)
	}
	if out := run("sync"); !strings.Contains(out, "phone: 4 calls and texts read, 2 used, 2 ignored, 0 unreadable; 2 events learned") {
		t.Errorf("sync:\n%s", out)
	}

	st = status()
	mum, bo := st["mum"], st["bo"]
	if mum.State != "ok" || mum.LastInteraction == nil || *mum.LastInteraction != call.Format(time.RFC3339) {
		t.Errorf("after: Mum %+v; want ok, last talked at the call (%s)", mum, call.Format(time.RFC3339))
	}
	if bo.State != "waiting" || bo.Next == nil || *bo.Next != text.Add(48*time.Hour).Format(time.RFC3339) {
		t.Errorf("after: Bo %+v; want waiting for his reply until %s", bo, text.Add(48*time.Hour).Format(time.RFC3339))
	}
	after := plan("9")
	agree("after", st, after)
	kinds := map[string]string{}
	for _, r := range after {
		if kinds[r.ID] == "" {
			kinds[r.ID] = r.Kind
		}
	}
	if kinds["bo"] != "follow_up" || kinds["mum"] != "check_in" {
		t.Errorf("after: plan %+v; want Bo's follow-up, then Mum's check-in a week after the call", after)
	}
	if run("sync") == "" || len(status()) != 2 {
		t.Fatal("a second sync")
	}
}
