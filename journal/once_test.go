package journal

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestAddOnceRecordsOneEvent: a button tapped eight times at once, through
// two handles on one state file (as two processes would), is one event; a
// tap a day later is none; another notification's button is another event.
func TestAddOnceRecordsOneEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	a, b := open(t, path), open(t, path)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tap := Once{Key: "button/N1/reached-out", Expires: now.Add(72 * time.Hour)}
	ev := Event{Contact: "alice", Kind: ReachedOut, At: now, Source: "phone", Logged: now}
	var wg sync.WaitGroup
	var mu sync.Mutex
	added, used := 0, 0
	for i := range 8 {
		j := []*Journal{a, b}[i%2]
		wg.Go(func() {
			_, err := j.AddOnce(ctx, ev, tap)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				added++
			case errors.Is(err, ErrUsed):
				used++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if added != 1 || used != 7 {
		t.Errorf("%d taps recorded, %d refused as used; want 1 and 7", added, used)
	}
	later := ev
	later.At, later.Logged = now.Add(24*time.Hour), now.Add(24*time.Hour)
	if _, err := a.AddOnce(ctx, later, tap); !errors.Is(err, ErrUsed) {
		t.Errorf("a tap a day later: %v; want ErrUsed", err)
	}
	if _, err := a.AddOnce(ctx, later, Once{Key: "button/N2/reached-out", Expires: now.Add(96 * time.Hour)}); err != nil {
		t.Errorf("the next notification's button: %v", err)
	}
	if evs, _ := a.EventsOf(ctx, "alice"); len(evs) != 2 {
		t.Errorf("%d events; want one per notification, 2", len(evs))
	}
	// A bad event writes nothing, and does not use the credential up.
	bad := ev
	bad.Kind = "hugged"
	if _, err := a.AddOnce(ctx, bad, Once{Key: "button/N3/talked", Expires: now.Add(time.Hour)}); err == nil || errors.Is(err, ErrUsed) {
		t.Errorf("a bad event: %v", err)
	}
	if err := a.UseOnce(ctx, Once{Key: "button/N3/talked", Expires: now.Add(time.Hour)}, now); err != nil {
		t.Errorf("the credential of a refused event was used up: %v", err)
	}
}

// TestUseOnceForgetsLongExpired: a sign-in link works once; its record
// goes a day after it expired, and the table does not grow for ever.
func TestUseOnceForgetsLongExpired(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "r.db"))
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	link := Once{Key: "signin/N", Expires: now.Add(10 * time.Minute)}
	if err := j.UseOnce(ctx, link, now); err != nil {
		t.Fatal(err)
	}
	if err := j.UseOnce(ctx, link, now.Add(time.Minute)); !errors.Is(err, ErrUsed) {
		t.Errorf("the second use: %v; want ErrUsed", err)
	}
	if err := j.UseOnce(ctx, Once{Key: "signin/M", Expires: now.Add(48 * time.Hour)}, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	j.db.QueryRow(`SELECT count(*) FROM used_credentials`).Scan(&n)
	if n != 1 {
		t.Errorf("%d records a day after the first link expired; want the second alone", n)
	}
}
