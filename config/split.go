package config

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
)

// parallelFrom is the size from which a file is decoded in parallel.
const parallelFrom = 1 << 20

// pieceSize is about how much of a large file one decoder takes at a time
// (a variable for the tests).
var pieceSize = 2 << 20

// decodeSplit decodes a large file on several cores. A contact list is
// mostly [[contact]] tables, which are independent of each other, so the
// file can be cut at their headers and the pieces decoded at once: the part
// before the first contact, then runs of whole contacts.
//
// It only takes the simple, common shape: cuts are the offsets of the
// [[contact]] header lines that scanTOML found (none when any other header
// follows the first of them). Anything else, and any piece that fails to
// decode, returns ok = false and the caller decodes the whole file as one,
// which also gives the right error positions.
func decodeSplit(data string, cuts []int) (doc map[string]any, ok bool) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(data) < parallelFrom || len(cuts) < 2*workers {
		return nil, false
	}
	// pieces[0] is the head; then runs of contacts of about pieceSize,
	// cut at headers, at least one per worker. The workers take them in
	// turn. Small pieces keep each decoder's own state small (the library
	// keeps every key it has read, in order, with its position): with one
	// piece per core, a decoder over half a million contacts spent much of
	// its time growing those lists (docs/speed.md).
	n := max(workers, (len(data)-cuts[0])/pieceSize)
	bounds := []int{0, cuts[0]}
	for w := 1; w < n; w++ {
		target := cuts[0] + (len(data)-cuts[0])*w/n
		i := sort.SearchInts(cuts, target)
		if i < len(cuts) && cuts[i] > bounds[len(bounds)-1] {
			bounds = append(bounds, cuts[i])
		}
	}
	bounds = append(bounds, len(data))

	parts := make([]map[string]any, len(bounds)-1)
	errs := make([]error, len(parts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(parts) {
					return
				}
				// The whole file passed scanTOML, which found the cuts
				// in the same reading: each piece is whole tables, read
				// as the decoder reads them, and needs no check of its own.
				_, errs[i] = toml.Decode(data[bounds[i]:bounds[i+1]], &parts[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, false
		}
	}
	doc = parts[0]
	if _, clash := doc["contact"]; clash {
		return nil, false
	}
	var contacts []map[string]any
	for _, p := range parts[1:] {
		list, ok := p["contact"].([]map[string]any)
		if !ok || len(p) != 1 {
			return nil, false
		}
		contacts = append(contacts, list...)
	}
	doc["contact"] = contacts
	return doc, true
}
