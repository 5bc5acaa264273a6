package config

import (
	"strconv"
	"strings"
)

// positions maps key paths to where they are written. BurntSushi/toml keeps
// key positions to itself and, for arrays of tables, keeps only the last
// element's, so rekindle finds them with this small scanner of its own. It is
// run only when a file has problems, on a file the TOML parser accepted, so it
// can be lenient: it needs table headers and the keys at the start of lines,
// and must skip over multi-line strings and arrays.
type positions map[string]Position

func (ps positions) lookup(p path) Position {
	for n := len(p); n > 0; n-- {
		if pos, ok := ps[p[:n].index()]; ok {
			return pos
		}
	}
	return Position{Line: 1, Col: 1}
}

func indexPositions(data []byte) positions {
	ps := positions{}
	lines := strings.Split(string(data), "\n")
	var table path
	counts := map[string]int{}
	var open scanState
	for i, line := range lines {
		if open.inString != "" || open.depth > 0 {
			open = scanValue(line, open)
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		rest := strings.TrimSpace(line)
		if rest == "" || rest[0] == '#' {
			continue
		}
		pos := Position{Line: i + 1, Col: indent + 1}
		switch {
		case strings.HasPrefix(rest, "[["):
			end := strings.Index(rest, "]]")
			if end < 0 {
				continue
			}
			name := splitKey(rest[2:end])
			n := counts[name.index()]
			counts[name.index()] = n + 1
			table = name.with(strconv.Itoa(n))
			ps[table.index()] = pos
		case rest[0] == '[':
			end := strings.LastIndex(rest, "]")
			if end < 0 {
				continue
			}
			table = resolveArrays(splitKey(rest[1:end]), counts)
			ps[table.index()] = pos
		default:
			eq := keyEnd(rest)
			if eq < 0 {
				continue
			}
			key := table.with(splitKey(rest[:eq])...)
			for n := len(table) + 1; n <= len(key); n++ {
				if _, seen := ps[key[:n].index()]; !seen || n == len(key) {
					ps[key[:n].index()] = pos
				}
			}
			open = scanValue(rest[eq+1:], scanState{})
		}
	}
	return ps
}

// resolveArrays points a sub-table of an array of tables ([contact.extra])
// at the latest element of that array.
func resolveArrays(name path, counts map[string]int) path {
	var out path
	for _, k := range name {
		out = append(out, k)
		if n, ok := counts[out.index()]; ok {
			out = append(out, strconv.Itoa(n-1))
		}
	}
	return out
}

// keyEnd finds the '=' that ends the key at the start of s, outside quotes.
func keyEnd(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return i
		}
	}
	return -1
}

// splitKey splits a dotted key such as `channels."my phone".token`.
func splitKey(s string) path {
	var parts path
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case c == ' ' || c == '\t':
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// scanState says what a value left open at the end of a line.
type scanState struct {
	inString string // `"""` or `'''` while inside a multi-line string
	depth    int    // open brackets and braces
}

// scanValue follows a value across one line, tracking strings, brackets and
// comments, and returns what is still open at the end of it.
func scanValue(s string, st scanState) scanState {
	for i := 0; i < len(s); i++ {
		if st.inString != "" {
			if st.inString == `"""` && s[i] == '\\' {
				i++
				continue
			}
			if strings.HasPrefix(s[i:], st.inString) {
				st.inString = ""
				i += 2
			}
			continue
		}
		switch c := s[i]; c {
		case '#':
			return st
		case '[', '{':
			st.depth++
		case ']', '}':
			st.depth--
		case '"', '\'':
			q := string([]byte{c, c, c})
			if strings.HasPrefix(s[i:], q) {
				st.inString = q
				i += 2
				continue
			}
			// a one-line string: skip to its end
			for i++; i < len(s) && s[i] != c; i++ {
				if c == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
	return st
}
