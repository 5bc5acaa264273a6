package importer

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestIDsAsBefore: the ids are those the first loop gave (probe name-2,
// name-3, ... from 2 for every person) for the same names in the same
// order, with names that are themselves someone's name-k.
func TestIDsAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bases := []string{"ana", "ana-2", "ana-3", "ana-2-2", "bo", "bo-10", "bo-1", "ana-4"}
	used := map[string]bool{}
	ids := NewIDsFor(0)
	for i := range 1200 {
		base := bases[rng.IntN(len(bases))]
		want := base
		for k := 2; used[want]; k++ {
			want = base + "-" + strconv.Itoa(k)
		}
		used[want] = true
		if got := ids.Take(base); got != want {
			t.Fatalf("person %d of base %s: id %s, want %s", i, base, got, want)
		}
	}
}

// TestIDsLinear: a name held by many people costs a probe or two per
// person, not one per person before them (the loop was quadratic: 100,000
// people of one name took 5 billion probes).
func TestIDsLinear(t *testing.T) {
	ids := NewIDsFor(0)
	n := 2000
	allocs := testing.AllocsPerRun(1, func() {
		ids = NewIDsFor(0)
		for range n {
			ids.Take("ana")
		}
	})
	if got := ids.Take("ana"); got != fmt.Sprintf("ana-%d", n+1) {
		t.Errorf("the next ana is %s", got)
	}
	// Each id is one string and a map entry; the quadratic loop made a
	// string for every probe: n²/2 of them.
	if allocs > float64(5*n) {
		t.Errorf("%d people of one name: %.0f allocations; want at most %d", n, allocs, 5*n)
	}
}
