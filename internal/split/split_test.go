package split

import (
	"runtime"
	"sync"
	"testing"
)

func TestRangesCoverEachIndexOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, tc := range []struct{ n, chunk, calls int }{
		{0, 10, 0}, {1, 10, 1}, {10, 10, 1}, {11, 10, 2}, {35, 10, 4}, {1000, 10, 4}, {7, 0, 4},
	} {
		seen := make([]int, tc.n)
		var mu sync.Mutex
		calls := 0
		Ranges(tc.n, tc.chunk, func(lo, hi int) {
			mu.Lock()
			calls++
			mu.Unlock()
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, k := range seen {
			if k != 1 {
				t.Errorf("n=%d chunk=%d: index %d visited %d times", tc.n, tc.chunk, i, k)
			}
		}
		if calls != tc.calls {
			t.Errorf("n=%d chunk=%d: %d ranges, want %d", tc.n, tc.chunk, calls, tc.calls)
		}
	}
}
