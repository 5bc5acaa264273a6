package importer

import "strconv"

// IDs gives each person of one import an id of their own: the first of a
// name has the name's, the second name-2, the third name-3, and so on,
// skipping any that an earlier person already holds (a person named
// "Ana 2" has ana-2, so the second Ana is ana-3).
type IDs struct {
	used map[string]bool
}

// NewIDs starts an import with no id given.
func NewIDs() *IDs { return &IDs{used: map[string]bool{}} }

// Take gives the next free id for base, and holds it.
func (s *IDs) Take(base string) string {
	id := base
	for k := 2; s.used[id]; k++ {
		id = base + "-" + strconv.Itoa(k)
	}
	s.used[id] = true
	return id
}
