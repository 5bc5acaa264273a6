package config

import (
	"fmt"
	"sort"
	"strings"
)

// Position is a place in a config file; Line and Col count from 1.
type Position struct {
	Line, Col int
}

// Problem is one thing wrong with a config file.
type Problem struct {
	Pos Position
	Key string // the offending key as the user wrote it, such as "defaults.every"
	Msg string
}

// Error lists every problem found in one config file, in file order.
type Error struct {
	File     string
	Problems []Problem
	Omitted  int // problems found beyond the first MaxProblems, not listed
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Pos.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Pos.Line, p.Pos.Col)
		}
		b.WriteString(": ")
		if p.Key != "" {
			b.WriteString(p.Key)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n%s: and %d more problems; fix these and run rekindle check again", e.File, e.Omitted)
	}
	return b.String()
}

// Split returns the errors that err joins (the config and each included
// file report their problems apart), or err alone.
func Split(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// path is a key path inside the document: table names, keys and, for arrays
// of tables, the element index as a decimal string.
type path []string

func (p path) with(k ...string) path {
	q := make(path, len(p), len(p)+len(k))
	copy(q, p)
	return append(q, k...)
}

func (p path) index() string { return strings.Join(p, "\x00") }

// display writes a path the way a person would point at it:
// contact[3].every, channels.phone.token.
func (p path) display(names map[string]string) string {
	var b strings.Builder
	for i, k := range p {
		if i > 0 && p[i-1] == "contact" && isIndex(k) {
			fmt.Fprintf(&b, "[%s]", k)
			if n := names[p[:i+1].index()]; n != "" {
				fmt.Fprintf(&b, " (%s)", n)
			}
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MaxProblems is how many problems one file reports; past it, one more
// line says how many are left. A file of 300,000 unknown keys took 30 s to
// list them all, 78 MB of text that nobody reads.
const MaxProblems = 100

// problems collects what is wrong while a document is read, so that one
// pass finds everything; the first MaxProblems in file order are reported.
type problems struct {
	list []rawProblem
}

type rawProblem struct {
	at    path
	msg   string
	known []string // for an unknown key, what its table accepts: msg is written only if it is reported
}

func (ps *problems) add(at path, format string, args ...any) {
	ps.list = append(ps.list, rawProblem{at: at, msg: fmt.Sprintf(format, args...)})
}

// addUnknown adds an unknown key, whose message (with the closest known
// key) is written only if it is among the problems reported.
func (ps *problems) addUnknown(at path, known []string) {
	ps.list = append(ps.list, rawProblem{at: at, known: known})
}

func (ps *problems) empty() bool { return len(ps.list) == 0 }

// resolve turns the collected problems into an Error with positions, which
// are only looked up now: finding them costs a scan of the file, and a valid
// file never pays it.
func (ps *problems) resolve(file string, data []byte, names map[string]string) *Error {
	idx := indexPositions(data)
	e := &Error{File: file}
	type found struct {
		pos Position
		raw *rawProblem
	}
	all := make([]found, len(ps.list))
	for i := range ps.list {
		all[i] = found{idx.lookup(ps.list[i].at), &ps.list[i]}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].pos, all[j].pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	if len(all) > MaxProblems {
		e.Omitted = len(all) - MaxProblems
		all = all[:MaxProblems]
	}
	for _, f := range all {
		msg := f.raw.msg
		if f.raw.known != nil {
			msg = unknownKey(f.raw.at[len(f.raw.at)-1], f.raw.known)
		}
		e.Problems = append(e.Problems, Problem{Pos: f.pos, Key: f.raw.at.display(names), Msg: msg})
	}
	return e
}

// Suggest returns the known word closest to s, or "" when none is close
// enough to be a likely typo.
func Suggest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < bestD && d*2 < len(k) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance counts the edits (insert, delete, replace, swap two
// neighbours) from a to b, ignoring case.
func editDistance(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
	// rows two back, one back and current, for the swap case
	pp := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}
