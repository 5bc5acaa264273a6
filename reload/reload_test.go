package reload

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/syncbuf"
	"github.com/rekindle/rekindle/notifier"
)

// running is a Reloader over the config at path, as the daemon sets one
// up, with its log in logs and every config it swapped in in swapped.
func running(t *testing.T, path string, logs *syncbuf.Buffer, swapped *[]*Live) *Reloader {
	t.Helper()
	load := func() (*Live, error) { return Read(path, time.Now, notifier.Options{Stdout: logs}, nil) }
	l, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return &Reloader{
		Load:    load,
		Running: func() *Live { return l },
		Swap:    func(_ string, nl *Live) { *swapped = append(*swapped, nl); l = nl },
		Log:     slog.New(slog.NewTextHandler(logs, nil)),
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const alice = "[[contact]]\nname = \"Alice\"\nlast_interaction = 2026-11-30\n"

// TestReloadOffTheMainLoop: a reload that never finishes (a config read
// that hangs) leaves the daemon answering: it gives up at the deadline,
// keeps its config, and stops at once when asked.
func TestReloadOffTheMainLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		var swapped []*Live
		r := running(t, writeConfig(t, alice), &logs, &swapped)
		stuck := make(chan struct{})
		defer close(stuck)
		loads := 0
		r.Load = func() (*Live, error) { loads++; <-stuck; return nil, errors.New("unreachable") }

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		hup := make(chan os.Signal, 1)
		ran := make(chan struct{})
		go func() { r.Run(ctx, hup, nil); close(ran) }()
		hup <- os.Interrupt
		time.Sleep(Deadline + time.Second)
		synctest.Wait()
		if !strings.Contains(logs.String(), "config reload took too long; keeping the running config") {
			t.Errorf("the reload was not given up at its deadline:\n%s", logs.String())
		}
		if len(swapped) != 0 {
			t.Errorf("the running config changed: %d swaps", len(swapped))
		}
		// The next reload is not held up behind the one that hangs.
		hup <- os.Interrupt
		synctest.Wait()
		if loads != 2 {
			t.Errorf("%d config reads after a second SIGHUP; want 2", loads)
		}
		cancel()
		synctest.Wait()
		select {
		case <-ran:
		default:
			t.Fatal("the reloader did not stop while a reload hung")
		}
	})
}

// TestReloadOfAHostileConfigKeepsTheConfig: the config (two million
// arrays behind a string the old check misread), saved over the config of
// a running daemon, is refused with its line and column, and the daemon
// keeps its config and runs on. Before, the decoder's stack overflow killed
// the daemon.
func TestReloadOfAHostileConfigKeepsTheConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := writeConfig(t, alice)
		var logs syncbuf.Buffer
		var swapped []*Live
		r := running(t, path, &logs, &swapped)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		hup := make(chan os.Signal, 1)
		ran := make(chan struct{})
		go func() { r.Run(ctx, hup, nil); close(ran) }()

		const n = 2000000
		hostile := `x = ["""q"""", ` + strings.Repeat("[", n) + strings.Repeat("]", n) + "]\n"
		os.WriteFile(path, []byte(hostile), 0o600)
		hup <- os.Interrupt
		synctest.Wait()
		got := logs.String()
		if !strings.Contains(got, "config reload failed; keeping the running config") {
			t.Fatalf("the reload was not refused:\n%.2000s", got)
		}
		if !strings.Contains(got, "where="+path+":1:47") || !strings.Contains(got, "nest more than 32 deep") {
			t.Errorf("the log does not say where and what: %s", got)
		}
		if len(swapped) != 0 || len(r.Running().Config.Contacts) != 1 {
			t.Errorf("the running config changed: %d swaps", len(swapped))
		}
		select {
		case <-ran:
			t.Fatal("the reloader stopped")
		default:
		}
		// And it runs on: the config fixed is taken.
		os.WriteFile(path, []byte(alice+"[[contact]]\nname = \"Bob\"\n"), 0o600)
		hup <- os.Interrupt
		synctest.Wait()
		if len(swapped) != 1 || len(r.Running().Config.Contacts) != 2 {
			t.Errorf("the fixed config was not taken: %d swaps\n%s", len(swapped), logs.String())
		}
	})
}

// TestPeopleChangedReloads: an address book's change, told before Run
// starts and twice while it runs, reloads once each time it is taken up,
// with its own why; SIGHUP's why is Signal (the daemon then reads every
// source).
func TestPeopleChangedReloads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, whys := withWhys(t)
		r.PeopleChanged() // the mail loop may run first
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		hup := make(chan os.Signal, 1)
		go r.Run(ctx, hup, nil)
		synctest.Wait()
		r.PeopleChanged()
		synctest.Wait()
		hup <- os.Interrupt
		synctest.Wait()
		if want := []string{"address book changed", "address book changed", Signal}; !slices.Equal(*whys, want) {
			t.Errorf("reloads %q; want %q", *whys, want)
		}
		cancel()
		synctest.Wait()
	})
}

// TestSignalQueuedIsNotLost: a SIGHUP that comes while a reload is under
// way, followed by a change of the config file, is still a SIGHUP when
// its reload runs: the daemon reads every source then, as SIGHUP asks.
func TestSignalQueuedIsNotLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, whys := withWhys(t)
		load := r.Load
		hold := make(chan struct{})
		first := true
		r.Load = func() (*Live, error) {
			if first {
				first = false
				<-hold
			}
			return load()
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		hup := make(chan os.Signal, 1)
		changed := make(chan struct{}, 1)
		go r.Run(ctx, hup, changed)
		changed <- struct{}{} // the first reload, held
		synctest.Wait()
		hup <- os.Interrupt
		synctest.Wait()
		changed <- struct{}{}
		synctest.Wait()
		close(hold)
		synctest.Wait()
		if want := []string{"config file changed", Signal}; !slices.Equal(*whys, want) {
			t.Errorf("reloads %q; want %q", *whys, want)
		}
		cancel()
		synctest.Wait()
	})
}

// withWhys is a Reloader of a config of Alice that keeps the why of each
// reload it swaps in.
func withWhys(t *testing.T) (*Reloader, *[]string) {
	t.Helper()
	var logs syncbuf.Buffer
	var swapped []*Live
	r := running(t, writeConfig(t, alice), &logs, &swapped)
	whys := new([]string)
	swap := r.Swap
	r.Swap = func(why string, l *Live) { *whys = append(*whys, why); swap(why, l) }
	return r, whys
}
