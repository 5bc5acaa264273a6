package config

import (
	"fmt"
	"sort"
	"strings"
)

// PersonError says that a person argument named nobody, or more than one
// person; Candidates are the ids worth suggesting.
type PersonError struct {
	Arg        string
	Ambiguous  bool
	Everyone   bool     // Candidates are all contacts, none being close
	Candidates []string // at most maxCandidates of them
	Matches    int      // how many contacts matched an ambiguous argument
}

// maxCandidates is how many candidates an error lists: on a list of 100,000
// people a short prefix matches thousands.
const maxCandidates = 8

func (e *PersonError) Error() string {
	if e.Ambiguous {
		more := ""
		if e.Matches > len(e.Candidates) {
			more = fmt.Sprintf(" and %d others", e.Matches-len(e.Candidates))
		}
		return fmt.Sprintf("%q could be %s%s; use more of the name, or the id", e.Arg, strings.Join(e.Candidates, ", "), more)
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("no contact matches %q", e.Arg)
	}
	if e.Everyone {
		return fmt.Sprintf("no contact matches %q; the contacts are %s", e.Arg, strings.Join(e.Candidates, ", "))
	}
	return fmt.Sprintf("no contact matches %q; did you mean %s?", e.Arg, strings.Join(e.Candidates, ", "))
}

// Resolve finds the contact a person argument means: an exact id, else a
// case-insensitive full name, else a unique case-insensitive prefix of an id
// or a name. Anything else is a *PersonError listing the candidates.
func (c *Config) Resolve(arg string) (*Contact, error) {
	if p, ok := c.Lookup(arg); ok {
		return p, nil
	}
	want := strings.ToLower(strings.TrimSpace(arg))
	if want == "" {
		return nil, &PersonError{Arg: arg}
	}
	var byName, byPrefix []int
	for i := range c.Contacts {
		p := &c.Contacts[i]
		name := strings.ToLower(p.Name)
		switch {
		case name == want || strings.ToLower(p.ID) == want:
			byName = append(byName, i)
		case strings.HasPrefix(name, want) || strings.HasPrefix(strings.ToLower(p.ID), want):
			byPrefix = append(byPrefix, i)
		}
	}
	for _, matches := range [][]int{byName, byPrefix} {
		switch {
		case len(matches) == 1:
			return &c.Contacts[matches[0]], nil
		case len(matches) > 1:
			return nil, &PersonError{Arg: arg, Ambiguous: true, Candidates: c.describe(matches[:min(len(matches), maxCandidates)]), Matches: len(matches)}
		}
	}
	cands := c.nearest(want, 5)
	everyone := false
	if len(cands) == 0 && len(c.Contacts) <= 10 {
		everyone = true
		all := make([]int, len(c.Contacts))
		for i := range all {
			all[i] = i
		}
		cands = c.describe(all)
	}
	return nil, &PersonError{Arg: arg, Everyone: everyone, Candidates: cands}
}

func (c *Config) describe(idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		p := &c.Contacts[j]
		out[i] = fmt.Sprintf("%s (%s)", p.ID, p.Name)
	}
	return out
}

// nearest lists up to n contacts whose id or name is closest to s.
func (c *Config) nearest(s string, n int) []string {
	type cand struct {
		i, d int
	}
	var cands []cand
	for i := range c.Contacts {
		p := &c.Contacts[i]
		d := min(editDistance(s, p.ID), editDistance(s, p.Name))
		for _, word := range strings.Fields(p.Name) {
			d = min(d, editDistance(s, word))
		}
		if d <= max(2, len(s)/3) {
			cands = append(cands, cand{i, d})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].d < cands[b].d })
	if len(cands) > n {
		cands = cands[:n]
	}
	idx := make([]int, len(cands))
	for k, cd := range cands {
		idx[k] = cd.i
	}
	return c.describe(idx)
}
