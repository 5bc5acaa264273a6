// Package split spreads work over a slice across the available cores. The
// scheduler explains everyone, the notifier composes and reads back many
// reminders with it; each item's work is independent of the others.
package split

import (
	"runtime"
	"sync"
)

// Ranges calls f on consecutive ranges [lo, hi) that together cover
// [0, n), one goroutine per range, and returns when all have returned.
// It makes at most GOMAXPROCS ranges and none shorter than chunk (but the
// last), so a small n is one call on the caller's goroutine.
func Ranges(n, chunk int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/max(chunk, 1))
	if workers <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	per := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
