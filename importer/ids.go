package importer

import "strconv"

// IDs gives each person of one import an id of their own: the first of a
// name has the name's, the second name-2, the third name-3, and so on,
// skipping any that an earlier person already holds (a person named
// "Ana 2" has ana-2, so the second Ana is ana-3).
type IDs struct {
	used map[string]struct{}
	// next is, for a base that has been taken, the k to try first for
	// it: every k below it was given or found taken, and stays taken, so
	// a hundred people of one name cost a hundred probes, not 5,000.
	next map[string]int
}

// NewIDsFor starts an import of about people people (0 when how many is
// not known), with no id given: the ids' map is made that size at once,
// where growing it a doubling at a time moved every id several times (a
// twentieth of the CPU of a CSV import of 50,000).
func NewIDsFor(people int) *IDs {
	return &IDs{used: make(map[string]struct{}, people), next: map[string]int{}}
}

// PeopleIn is about how many people an export of size bytes read by r
// holds, for NewIDsFor: a row of a Google or Outlook CSV is a few hundred
// bytes (Google's empty columns alone take a hundred commas), a phone's
// card twice that. It errs high for cards with photos (a map larger than
// it needs, some 20 bytes an id unused) and low for a table of two
// columns (the map then grows as without it).
func PeopleIn(r Reader, size int64) int {
	per := int64(256)
	if _, ok := r.(*vcardReader); ok {
		per = 512
	}
	return int(min(max(size, 0)/per, 1<<20))
}

// Take gives the next free id for base, and holds it.
func (s *IDs) Take(base string) string {
	// Held at once: a base no one has yet (almost every one) costs one
	// look-up of the map, not two.
	n := len(s.used)
	if s.used[base] = struct{}{}; len(s.used) > n {
		return base
	}
	k := max(s.next[base], 2)
	for ; ; k++ {
		// Held at once too: a free one costs one look-up, not two.
		id := base + "-" + strconv.Itoa(k)
		n := len(s.used)
		if s.used[id] = struct{}{}; len(s.used) > n {
			s.next[base] = k + 1
			return id
		}
	}
}
