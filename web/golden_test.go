package web

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/scheduler"
)

// update rewrites the package's golden files (TestBodiesAsBefore's, testdata/metrics.golden) from the code as it is.
var update = flag.Bool("update", false, "write the golden files from the code as it is")

// goldenPeople add to the fixture's people what tests the writing of a
// body: names with characters JSON and HTML escape, occasions with and
// without a year, someone paused, someone new, someone snoozed, let be,
// reminded and failed.
const goldenPeople = `
[[contact]]
name = "Zoë <b>&\"Q\"</b> \\ tab\tline\u2028sep\u0001"
last_interaction = 2026-11-01
birthday = 1989-12-02
[contact.dates]
"first <meeting> & more" = "--12-24"

[[contact]]
name = "Paula"
paused = true
last_interaction = 2026-01-01

[[contact]]
name = "Newcomer"

[[contact]]
name = "Sam"
last_interaction = 2026-10-01

[[contact]]
name = "Lee"
last_interaction = 2026-09-01

[[contact]]
name = "Kim"
last_interaction = 2026-11-29
[contact.dates]
wedding = 2020-11-30
`

// goldenState writes the journal of the golden state: events logged,
// one reminder sent and one failed for good.
func goldenState(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	add := func(e journal.Event) {
		if _, err := f.j.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	add(journal.Event{Contact: "sam", Kind: journal.Snooze, At: f.now.Add(-time.Hour), Until: f.now.AddDate(0, 0, 4), Logged: f.now, Source: "api"})
	add(journal.Event{Contact: "paula", Kind: journal.Talked, At: f.now.AddDate(0, 0, -3), Note: "coffee <3 & cake", Logged: f.now, Source: "cli"})
	add(journal.Event{Contact: "lee", Kind: journal.LetBe, At: f.now.AddDate(0, 0, -1), Logged: f.now, Source: "cli"})
	st, err := scheduler.Snapshot(ctx, f.cfg, f.j, f.now)
	if err != nil {
		t.Fatal(err)
	}
	var rows []journal.Row
	for _, s := range st {
		if s.Kind != "" && !s.Next.After(f.now) && len(rows) < 2 {
			rows = append(rows, journal.Row{Identity: journal.Identity{Contact: s.ID, Kind: string(s.Kind), Anchor: s.Anchor},
				Channel: "mail", Message: []byte(`{}`), NotBefore: f.now.Add(-2 * 24 * time.Hour)})
		}
	}
	if len(rows) != 2 {
		t.Fatalf("the golden state wants two people due: %d", len(rows))
	}
	sent := rows[0].Contact
	run := f.now.Add(-2 * 24 * time.Hour)
	if _, err := f.j.Enqueue(ctx, journal.Run{Slot: run, Started: run, Finished: run, Due: 2}, rows); err != nil {
		t.Fatal(err)
	}
	due, err := f.j.Due(ctx, f.now)
	if err != nil || len(due) != 2 {
		t.Fatalf("due: %v %v", due, err)
	}
	for _, d := range due {
		if d.Contact == sent {
			err = f.j.MarkSent(ctx, []int64{d.ID}, run)
		} else {
			err = f.j.MarkFailed(ctx, []int64{d.ID}, `smtp: 550 <nobody@example.org> & "unknown"`)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestBodiesAsBefore: the API's and the feed's bodies, on a fixed state,
// are the bytes in testdata/golden, which were written by the code before
// the API was made fast (go test ./web -run TestBodiesAsBefore -update
// writes them again, for a change meant to show).
func TestBodiesAsBefore(t *testing.T) {
	f := start(t, goldenPeople)
	goldenState(t, f)
	var all bytes.Buffer
	get := func(method, path, body string, auth bool) {
		t.Helper()
		req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&all, "=== %s %s -> %d %s\n", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
		all.Write(b)
	}
	get("GET", "/api/contacts", "", false)
	for i := range f.cfg.Contacts {
		get("GET", "/api/contacts/"+f.cfg.Contacts[i].ID, "", false)
	}
	get("GET", "/calendar.ics", "", false)
	get("GET", "/calendar.ics?days=1", "", false)
	get("GET", "/calendar.ics?days=366", "", false)
	get("GET", "/calendar.ics?days=0", "", false)
	get("GET", "/api/contacts/nobody", "", false)
	get("GET", "/api/contacts", "", true)
	get("GET", "/healthz", "", false)
	get("POST", "/api/contacts/dana/events", `{"kind":"talked","note":"<tea> & \"talk\""}`, true)
	get("POST", "/api/contacts/dana/events", `{"kind":"nope"}`, true)
	get("POST", "/api/contacts/dana/events", `{"kind":`, true)
	get("POST", "/api/contacts/emil/snooze", `{"duration":"3d"}`, true)
	get("POST", "/api/contacts/emil/let-be", ``, true)
	get("POST", "/api/contacts/emil/let-be", ``, true)
	get("POST", "/api/contacts/emil/resume", `{}`, true)
	get("POST", "/api/contacts/emil/resume", `{}`, true)
	get("POST", "/api/contacts/emil/events", `{"kind":"talked"}`, false)
	get("GET", "/api/contacts", "", false)
	get("GET", "/calendar.ics", "", false)

	path := filepath.Join("testdata", "golden", "bodies.txt")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, all.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := all.Bytes(); !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("the bodies differ from %s at line %d:\n got: %q\nwant: %q", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("the bodies differ from %s in length: %d lines, want %d", path, len(gl), len(wl))
	}
}
