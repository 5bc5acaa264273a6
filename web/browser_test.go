package web

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rekindle/rekindle/internal/testsupport/needs"
	"github.com/rekindle/rekindle/journal"
)

// chromium is the one headless Chromium the package's tests share, each in
// a browser context of its own (cookies included): a start costs more
// than all that a test does in it.
var chromium struct {
	once    sync.Once
	ctx     context.Context // the browser's
	err     error
	dataDir string
	stop    func()
}

// TestMain closes the shared Chromium after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
		os.RemoveAll(chromium.dataDir)
	}
	os.Exit(code)
}

// browser is a new browser context in Debian's headless Chromium (.ci/run
// installs it), started by the first test that asks.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := needs.Program(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "rekindle-chromium")
		if err != nil {
			chromium.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1000, 1400),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		chromium.ctx, chromium.dataDir = ctx, dir
		chromium.stop = func() { cancel(); cancelAlloc() }
		chromium.err = chromedp.Do(ctx) // starts it
	})
	if chromium.err != nil {
		t.Fatalf("start chromium: %v", chromium.err)
	}
	ctx, cancel := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// TestDashboardInChromium: the overview puts everyone in the right
// section; it reads from this machine without forms, and after signing in
// with the api_token, on a person's page, "Reached out" (clicked) and
// "Talked" (from the keyboard) are recorded and the state follows.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := browser(t)
	// Emil is snoozed: his mark on the chart has a colour of its own.
	if _, err := f.j.Add(context.Background(), journal.Event{Contact: "emil", Kind: journal.Snooze, At: f.now, Until: f.now.AddDate(0, 0, 3),
		Source: "cli", Logged: f.now}); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(f.url+"/"), chromedp.WaitVisible(`h1`)); err != nil {
		t.Fatal(err)
	}
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](`(() => {
		const out = {};
		for (const s of document.querySelectorAll("section[data-section]"))
			out[s.dataset.section] = [...s.querySelectorAll("li[data-id]")].map(li => li.dataset.id);
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	chart, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.timeline svg circle").length`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"due": "alice-moreau", "cooling": "bob", "letbe": "dana", "quiet": "emil"}
	for sec, id := range want {
		if got := ids[sec]; len(got) != 1 || got[0] != id {
			t.Errorf("section %s lists %v; want [%s]", sec, got, id)
		}
	}
	if chart < 3 {
		t.Errorf("the timeline draws %d marks; want one per person with a reminder ahead", chart)
	}
	// The chart's marks have their own colour for each state, snoozed too.
	fills, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
		const out = {};
		for (const c of document.querySelectorAll("figure.timeline circle.dot"))
			out[c.getAttribute("class").replace("dot ", "")] = getComputedStyle(c).fill;
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if fills["snoozed"] == "" || fills["snoozed"] == fills["letbe"] || fills["snoozed"] == fills["ok"] {
		t.Errorf("mark colours %v; want snoozed in a colour of its own", fills)
	}
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("../docs/dashboard.png", png, 0o644)
	}

	state := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".state").dataset.state`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// From this machine the pages read, without forms, until the browser
	// signs in with the api_token.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.url+"/people/alice-moreau"), chromedp.WaitVisible(`.signin`)); err != nil {
		t.Fatal(err)
	}
	forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/do']").length`))
	if err != nil || forms != 0 {
		t.Fatalf("Alice's page before signing in: %d forms (%v); want none", forms, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`.signin a`),
		chromedp.WaitVisible(`#token`),
		chromedp.SendKeys(`#token`, token+kb.Enter),
		chromedp.WaitVisible(`form.signout`),
	)
	if err != nil {
		t.Fatal(err)
	}

	// A click on "Reached out" on Alice's page.
	err = chromedp.Do(ctx,
		chromedp.Navigate(f.url+"/people/alice-moreau"),
		chromedp.WaitVisible(`button[value="reached-out"]`),
		chromedp.Click(`button[value="reached-out"]`),
		chromedp.WaitVisible(`.done`),
	)
	if err != nil {
		t.Fatal(err)
	}
	done, _ := chromedp.Run(ctx, chromedp.Text(`.done`))
	if s := state(); s != "waiting" || !strings.Contains(done, "reached-out") {
		t.Errorf("after Reached out: state %q, message %q; want waiting", s, done)
	}
	if s := f.stateOf(t, "alice-moreau")["state"]; s != "waiting" {
		t.Errorf("the API says %v; want waiting", s)
	}

	// The keyboard alone: type a note, tab past "Reached out" to "Talked",
	// and press Enter.
	err = chromedp.Do(ctx,
		chromedp.Navigate(f.url+"/people/bob"),
		chromedp.WaitVisible(`#note`),
		chromedp.Focus(`#note`),
		chromedp.SendKeys(`#note`, "long walk, made up"),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`.done`),
	)
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.history li").length`))
	if s := state(); s != "ok" || lines == 0 {
		t.Errorf("after Talked from the keyboard: state %q, %d history lines; want ok", s, lines)
	}
	evs, _ := f.j.History(context.Background(), "bob", 1)
	if len(evs) != 1 || evs[0].Kind != "talked" || evs[0].Note != "long walk, made up" || evs[0].Source != "dashboard" {
		t.Errorf("recorded %+v", evs)
	}
}

// longNames are people whose names are wider than the chart's label column
// and whose page has a long address, all due within four weeks.
const longNames = `
[[contact]]
name = "Ζωή-Ελένη Παπαδοπούλου"
last_interaction = 2026-11-01
email = ["zoi-eleni.papadopoulou.the-long-one@university-of-thessaloniki.example.org"]
birthday = "--04-12"

[[contact]]
name = "Zoe\u0308 Mu\u0308ller-Lu\u0308denscheidt"
last_interaction = 2026-11-02

[[contact]]
name = "山田太郎山田太郎山田太郎"
last_interaction = 2026-11-03
`

// TestDashboardOnAPhone: on a 390 px wide screen the overview, its chart
// included, fits without scrolling sideways, the chart's names are legible
// and whole at their start, and a person's page says their state in words
// and fits too, a long address wrapped.
func TestDashboardOnAPhone(t *testing.T) {
	t.Parallel()
	f := start(t, longNames)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Navigate(f.url+"/"), chromedp.WaitVisible(`figure.timeline svg`))
	if err != nil {
		t.Fatal(err)
	}
	type box struct{ Page, View, Chart, Font float64 }
	b, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => {
		const svg = document.querySelector("figure.timeline svg");
		const who = svg.querySelector("text.who");
		return {Page: document.documentElement.scrollWidth, View: window.innerWidth,
			Chart: svg.getBoundingClientRect().right, Font: who.getBoundingClientRect().height};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if b.View != 390 || b.Page > b.View || b.Chart > b.View {
		t.Errorf("on a 390 px screen: page %v px wide, chart ends at %v px; want both within %v", b.Page, b.Chart, b.View)
	}
	if b.Font < 10 {
		t.Errorf("chart names are %.1f px high; want at least 10 to be read on a phone", b.Font)
	}
	// Each name starts inside the chart, left of the first day: never cut
	// at its start by the chart's edge.
	type label struct {
		Text        string
		Left, Right float64
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]label](`[...document.querySelectorAll("figure.timeline svg text.who")].map(e => {
		const b = e.getBBox();
		return {Text: e.textContent, Left: b.x, Right: b.x + b.width};
	})`))
	if err != nil || len(names) < 4 {
		t.Fatalf("chart names: %v, %v", names, err)
	}
	for _, n := range names {
		if n.Left < 0 || n.Left > 8 {
			t.Errorf("the chart's name %q starts at %.1f; want it whole at the left edge (0 to 8)", n.Text, n.Left)
		}
		if n.Right > 98 {
			t.Errorf("the chart's name %q ends at %.1f, past its column (98), where it is clipped", n.Text, n.Right)
		}
	}
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("../docs/dashboard-phone.png", png, 0o644)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(f.url+"/people/bob"), chromedp.WaitVisible(`.state`))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := chromedp.Run(ctx, chromedp.Text(`.state strong`))
	if !strings.EqualFold(st, "cooling down") {
		t.Errorf("Bob's state reads %q; want \"cooling down\"", st)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(f.url+"/people/"+f.cfg.Contacts[4].ID), chromedp.WaitVisible(`.state`))
	if err != nil {
		t.Fatal(err)
	}
	wide, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if wide > 390 {
		t.Errorf("%s's page is %v px wide on a 390 px screen; want it to fit, the address wrapped", f.cfg.Contacts[4].Name, wide)
	}
}

// TestPersonLinkInChromium: a reminder's link opens Bob's page with its
// forms, and "Talked" is recorded; the same browser then can change
// nothing of Alice's, by her page's forms (it shows none) or by a script.
func TestPersonLinkInChromium(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := browser(t)
	link := strings.Replace(f.personLink("bob"), f.cfg.PublicURL, f.url, 1)
	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(`button[value="talked"]`),
		chromedp.Click(`button[value="talked"]`),
		chromedp.WaitVisible(`.done`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if evs, _ := f.j.History(context.Background(), "bob", 0); len(evs) != 1 || evs[0].Kind != journal.Talked || evs[0].Source != "dashboard" {
		t.Errorf("Bob's history %+v; want the talked from his page", evs)
	}
	addr, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil || strings.Contains(addr, "t=") {
		t.Errorf("the address bar shows %q (%v); want the page without its credential", addr, err)
	}
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Promise.all([
		fetch("/people/alice-moreau/do", {method: "POST", body: new URLSearchParams({action: "let-be"})}),
		fetch("/api/contacts/alice-moreau/let-be", {method: "POST"}),
	].map(p => p.then(r => r.status)))`, chromedp.EvalAwaitPromise))
	if err != nil || len(codes) != 2 || codes[0] != 401 || codes[1] != 401 {
		t.Errorf("Alice's changes from Bob's page: %v (%v); want 401 and 401", codes, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.url+"/people/alice-moreau"), chromedp.WaitVisible(`.signin`)); err != nil {
		t.Fatal(err)
	}
	forms, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/do']").length`))
	if forms != 0 {
		t.Errorf("Alice's page shows %d forms to Bob's link", forms)
	}
	if evs, _ := f.j.History(context.Background(), "alice-moreau", 0); len(evs) != 0 {
		t.Errorf("Alice's history %+v; want nothing", evs)
	}
}
