package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rekindle/rekindle/internal/needs"
)

// browser starts Debian's headless Chromium (.ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := needs.Program(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1400),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// TestDashboardInChromium: the overview puts everyone in the right
// section; on a person's page, "Reached out" (clicked) and "Talked" (from
// the keyboard) are recorded and the state follows.
func TestDashboardInChromium(t *testing.T) {
	f := start(t)
	ctx := browser(t)

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
	want := map[string]string{"due": "alice-moreau", "cooling": "bob", "letbe": "dana", "ok": "emil"}
	for sec, id := range want {
		if got := ids[sec]; len(got) != 1 || got[0] != id {
			t.Errorf("section %s lists %v; want [%s]", sec, got, id)
		}
	}
	if chart < 3 {
		t.Errorf("the timeline draws %d marks; want one per person with a reminder ahead", chart)
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
