package importer

import "strconv"

// IDs gives each person of one import an id of their own: the first of a
// name has the name's, the second name-2, the third name-3, and so on,
// skipping any that an earlier person already holds (a person named
// "Ana 2" has ana-2, so the second Ana is ana-3).
type IDs struct {
	used map[string]bool
	// next is, for a base that has been taken, the k to try first for
	// it: every k below it was given or found taken, and stays taken, so
	// a hundred people of one name cost a hundred probes, not 5,000.
	next map[string]int
}

// NewIDs starts an import with no id given.
func NewIDs() *IDs { return &IDs{used: map[string]bool{}, next: map[string]int{}} }

// Take gives the next free id for base, and holds it.
func (s *IDs) Take(base string) string {
	// Held at once: a base no one has yet (almost every one) costs one
	// look-up of the map, not two.
	n := len(s.used)
	if s.used[base] = true; len(s.used) > n {
		return base
	}
	k := max(s.next[base], 2)
	id := base + "-" + strconv.Itoa(k)
	for ; s.used[id]; id = base + "-" + strconv.Itoa(k) {
		k++
	}
	s.next[base] = k + 1
	s.used[id] = true
	return id
}
