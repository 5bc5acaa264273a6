package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/scheduler"
)

// The cases of issue 18 on every surface: the daemon's runs, the plan, the
// calendar feed, status (scheduler.Snapshot in attention order), the API
// and the dashboard agree on an occasion among many due, on repeats that
// end, and on the queue of new people.
func TestEverySurfaceAgrees(t *testing.T) {
	var b strings.Builder
	b.WriteString(`timezone = "Europe/Berlin"
listen = "127.0.0.1:0"
public_url = "https://rekindle.example.org"
api_token = "` + token + `"
max_per_run = 5
[[contact]]
name = "Mum"
birthday = "--12-02"
last_interaction = 2026-11-05
[[contact]]
name = "Rita"
last_interaction = 2026-09-01
[[contact]]
name = "Dana"
last_interaction = 2026-08-15
reached_out = [2026-11-22, 2026-11-26]
[[contact]]
name = "Bob"
last_interaction = 2026-09-01
fallout = 2026-11-25
[[contact]]
name = "Fay"
last_interaction = 2026-09-01
fallout = 2026-11-28
cooldown = "60d"
`)
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "[[contact]]\nname = \"New %02d\"\n", i)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config.toml")
	os.WriteFile(file, []byte(b.String()), 0o644)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(dir, "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, cfg.Location)
	srv, err := New(cfg.Listen, Options{
		Config: func() *config.Config { return cfg }, Journal: j, Metrics: NewMetrics(j.PendingCount),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "rekindle.example.org"
		req.RemoteAddr = "192.0.2.7:5000"
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	day := func(t time.Time) string { return t.Format("2006-01-02") }

	// The plan and the calendar feed, 40 days ahead.
	until := now.AddDate(0, 0, 40)
	people, hist, err := scheduler.Load(ctx, cfg, j, now)
	if err != nil {
		t.Fatal(err)
	}
	var planned []string
	perPerson := map[string]int{}
	for p := range scheduler.Plan(cfg, people, hist, now, until) {
		planned = append(planned, day(p.Slot)+" "+p.Contact.ID+" "+string(p.Kind))
		perPerson[p.Contact.Name]++
	}
	feed := get(links.Calendar("", []byte(token), now.Add(time.Hour)) + "&days=40")
	events := regexp.MustCompile(`(?s)BEGIN:VEVENT.*?SUMMARY:([^\r\n]*).*?END:VEVENT`).FindAllStringSubmatch(feed, -1)
	inFeed := map[string]int{}
	for _, e := range events {
		for name := range perPerson {
			if strings.Contains(e[1], name) {
				inFeed[name]++
			}
		}
	}
	for name, n := range perPerson {
		if inFeed[name] != n {
			t.Errorf("%s: %d reminders planned, %d in the calendar feed", name, n, inFeed[name])
		}
	}
	if !slices.Contains(planned, "2026-12-01 mum occasion") {
		t.Errorf("the plan lacks Mum's birthday on 12-01:\n%s", strings.Join(planned, "\n"))
	}
	if perPerson["Rita"] != 3 {
		t.Errorf("Rita: %d reminders in 40 days; want 3 (max_reminders)", perPerson["Rita"])
	}
	newPerDay := map[string]int{}
	for _, l := range planned {
		if strings.Contains(l, " new-") {
			newPerDay[l[:10]]++
		}
	}
	for d, n := range newPerDay {
		if n > 3 {
			t.Errorf("%s: %d new people; at most 3 a day", d, n)
		}
	}

	// The daemon's runs over the same days.
	tmpl, err := compose.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	for slot := scheduler.NextSlot(cfg.Schedule, now, cfg.Location); !slot.After(until); slot = scheduler.NextSlot(cfg.Schedule, slot, cfg.Location) {
		before, _ := j.Deliveries(ctx, "", 0)
		if _, err := scheduler.RunOnce(ctx, cfg, tmpl, j, slot, slot); err != nil {
			t.Fatal(err)
		}
		after, _ := j.Deliveries(ctx, "", 0)
		for _, d := range after[:len(after)-len(before)] {
			ran = append(ran, day(slot)+" "+d.Contact+" "+d.Kind)
		}
	}
	slices.Sort(ran)
	sorted := slices.Clone(planned)
	slices.Sort(sorted)
	if !slices.Equal(sorted, ran) {
		t.Errorf("the plan and the daemon differ:\nplan:\n%s\n\ndaemon:\n%s", strings.Join(sorted, "\n"), strings.Join(ran, "\n"))
	}

	// After the runs: status, the API and the dashboard.
	now = until
	st, err := scheduler.Snapshot(ctx, cfg, j, now)
	if err != nil {
		t.Fatal(err)
	}
	var api []struct{ ID, State, Reason string }
	if err := json.Unmarshal([]byte(get("/api/contacts")), &api); err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		if api[i].ID != s.ID || api[i].State != string(s.State) || api[i].Reason != s.Reason {
			t.Errorf("API %+v; status %s %s %q", api[i], s.ID, s.State, s.Reason)
		}
		if s.ID == "rita" && (s.State != "due" || !strings.Contains(s.Reason, "reminded 3 times")) {
			t.Errorf("Rita after her last reminder: %s %q", s.State, s.Reason)
		}
	}
	scheduler.SortByAttention(st)
	var order []string
	for _, s := range st {
		order = append(order, s.ID)
	}
	page := get("/")
	var shown []string
	for _, m := range regexp.MustCompile(`<li data-id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		shown = append(shown, m[1])
	}
	if !slices.Equal(order, shown) {
		t.Errorf("who needs attention first:\nstatus:    %v\ndashboard: %v", order, shown)
	}
	if !strings.Contains(page, "reminded 3 times") {
		t.Error("the dashboard does not say Rita was reminded 3 times")
	}
}
