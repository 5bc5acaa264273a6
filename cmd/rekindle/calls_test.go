package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
)

// TestDaemonLearnsCallsFromThePhone: the end to end, through the
// webhook. Mum's check-in fails its first delivery and waits in the outbox;
// the phone's automation, with the credential `rekindle calls-link`
// printed, tells of a call with her, and the reminder is cancelled before
// its retry. A text you sent Bo puts him into waiting. The dashboard's
// API, `status --json` and `plan --json` agree.
func TestDaemonLearnsCallsFromThePhone(t *testing.T) {
	t.Parallel()
	srv := ntfytest.New()
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	port := loopback.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	recent := time.Now().AddDate(0, 0, -3).Format("2006-01-02")
	e := newEnv(t, fmt.Sprintf(`listen = "127.0.0.1:%d"
public_url = %q
api_token = "calls-e2e-token-0123456789"
`, port, base)+ntfyConfig(srv.URL, fmt.Sprintf(`
[[contact]]
name = "Mum"
last_interaction = 2026-01-01
phone = ["+44 7700 900123"]

[[contact]]
name = "Bo"
last_interaction = %s
phone = ["+49 151 23456789"]
`, recent)))
	p := e.start(t)
	p.waitLog(t, "msg=serving", 10*time.Second)
	waitFor(t, "the first try of Mum's check-in", 10*time.Second, func() bool { return srv.Requests() == 1 })

	out, err := e.command(t, "calls-link").Output()
	if err != nil {
		t.Fatalf("calls-link: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || lines[0] != "POST "+base+"/api/calls" || !strings.HasPrefix(lines[1], "Authorization: Bearer ") || strings.Contains(string(out), "calls-e2e-token") {
		t.Fatalf("calls-link printed %q", out)
	}
	auth := strings.TrimPrefix(lines[1], "Authorization: ")
	tell := func(body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/calls", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("the answer %d is not JSON: %s", resp.StatusCode, b)
		}
		return resp.StatusCode, doc
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(-d).UnixMilli(), 10) }

	code, doc := tell(`{"number": "+44 7700 900123", "kind": "call", "direction": "outgoing", "duration": 900, "at": ` + ms(20*time.Minute) + `}`)
	if code != http.StatusCreated || doc["contact"] != "mum" || doc["kind"] != "talked" {
		t.Fatalf("a call with Mum: %d %v", code, doc)
	}
	p.waitLog(t, `msg="cancelled a pending reminder" contact=mum kind=check_in channel=phone why="no longer due`, 15*time.Second)
	code, doc = tell(`{"number": "0151 23456789", "kind": "text", "direction": "outgoing", "at": ` + ms(time.Minute) + `}`)
	if code != http.StatusCreated || doc["contact"] != "bo" || doc["kind"] != "reached-out" {
		t.Fatalf("a text to Bo: %d %v", code, doc)
	}
	if code, doc := tell(`{"number": "+44 7700 900123", "kind": "call", "direction": "missed"}`); code != http.StatusOK || doc["ignored"] != "a call not answered" {
		t.Errorf("a missed call: %d %v", code, doc)
	}

	// The dashboard's list, status and plan: Mum ok, Bo waiting for a
	// reply, and the plan holds Bo's follow-up (and its repeat) and
	// nothing for Mum.
	states := func(doc []map[string]any) map[string]any {
		out := map[string]any{}
		for _, c := range doc {
			out[c["id"].(string)] = c["state"]
		}
		return out
	}
	resp, err := http.Get(base + "/api/contacts")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	want := map[string]any{"mum": "ok", "bo": "waiting"}
	if got := states(list); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the dashboard's list: %v; want %v", got, want)
	}
	out, err = e.command(t, "status", "--json").Output()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	var status []map[string]any
	if err := json.Unmarshal(out, &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if got := states(status); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("status --json: %v; want %v", got, want)
	}
	out, err = e.command(t, "plan", "--json", "--days", "7").Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var plan []map[string]any
	if err := json.Unmarshal(out, &plan); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	if len(plan) == 0 {
		t.Errorf("plan --json over 7 days is empty; want Bo's follow-up")
	}
	for _, r := range plan {
		if r["id"] != "bo" || r["kind"] != "follow_up" {
			t.Errorf("plan --json over 7 days: %v; want Bo's follow-up (and its repeat) alone", plan)
		}
	}
	page, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	_, waiting, _ := strings.Cut(string(html), "Waiting for a reply")
	if waiting, _, ok := strings.Cut(waiting, "</section>"); !ok || !strings.Contains(waiting, "Bo") || strings.Contains(waiting, "Mum") {
		t.Errorf("the dashboard's waiting section, Bo alone:\n%s", waiting)
	}

	p.stop(t)
	if n := len(srv.Received()); n != 0 {
		t.Errorf("ntfy received %d; Mum's check-in went out after the call", n)
	}
	if log := p.stderr.String(); strings.Contains(log, "7700") || strings.Contains(log, "23456789") || strings.Contains(log, "calls-e2e-token") {
		t.Errorf("the log shows a number or the token:\n%s", log)
	}
}
