package config

import "fmt"

// The TOML decoder reads arrays and inline tables by recursion: a few
// million of them nested is a stack overflow, which kills the process (Go
// cannot recover from it), and inline tables nested that deep also take
// memory as the square of the depth. So before any text reaches the decoder,
// scanTOML reads it the way the decoder does — strings of the four
// kinds with their escapes and closing quotes, comments, keys and table
// headers with quoted parts — and refuses it where arrays and inline tables
// open more than the limit deep.
//
// It must never see a bracket as inside a string or a comment where the
// decoder sees it as code. It follows the decoder's reading up to the first
// thing that is not TOML; there the decoder stops with its own error, so the
// check stops too and lets it speak. Where the decoder reads on past what
// TOML forbids (six quotes in a row close a multi-line string after an
// escaped backslash), the check refuses the file itself. FuzzNesting and
// TestNestingAgreesWithTheDecoder hold this against the decoder.

// nestingProblem is why scanTOML refused a text, and where.
type nestingProblem struct {
	Pos Position
	Msg string
}

// scanTOML reads text as TOML and returns the first place where arrays
// and inline tables nest more than limit deep, a key or table name has more
// than MaxKeyParts dotted parts (each is a table: the decoder takes time as
// the square of their number, minutes for a few hundred kilobytes), the
// file opens more tables than its size allows (see BytesPerTable), or a
// string that the decoder would read differently from TOML; ok when there
// is none. It also returns where the text may be cut
// into pieces to decode apart (decodeSplit): the offsets of the lines that
// hold a [[contact]] header, when the text is TOML to its end and no other
// header follows the first of them; none otherwise. The headers are found
// in the same reading, so a header-like line in a multi-line string or an
// array is never taken for one, and the bytes are read once.
func scanTOML(text string, limit int) (cuts []int, problem nestingProblem, ok bool) {
	s := &tomlScan{text: text, line: 1, limit: limit, tablesLeft: FreeTables + len(text)/BytesPerTable}
	// The decoder skips a byte-order mark before it reads.
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if len(text) >= len(bom) && text[:len(bom)] == bom {
			s.i, s.lineStart = len(bom), len(bom)
			break
		}
	}
	s.document()
	if s.refused {
		return nil, s.problem, false
	}
	if !s.complete || s.noCuts {
		return nil, nestingProblem{}, true
	}
	return s.cuts, nestingProblem{}, true
}

// tomlScan reads a TOML document far enough to know where each array and
// inline table opens. Each method returns false where the text stops being
// TOML (the decoder stops there with an error) or the check refuses it.
type tomlScan struct {
	text         string
	i            int
	line         int // the line of text[i]
	lineStart    int // the offset of that line
	open         []byte
	limit        int
	refused      bool
	problem      nestingProblem
	stringOpened Position // where the multi-line string being read opened
	tablesLeft   int      // how many more tables the file may open
	parts        []string // the parts of the key or table name read last, as written
	lastHeader   []string // the parts of the last table header, as written
	cuts         []int    // the offsets of the lines of the [[contact]] headers
	noCuts       bool     // a header of another shape follows a [[contact]]: no cuts
	complete     bool     // the text was read to its end
}

func (s *tomlScan) eof() bool { return s.i >= len(s.text) }

func (s *tomlScan) pos() Position { return Position{Line: s.line, Col: s.i - s.lineStart + 1} }

// opens counts n tables opened at at, and refuses the file when it opens
// more than its size allows.
func (s *tomlScan) opens(n int, at Position) bool {
	if s.tablesLeft -= n; s.tablesLeft < 0 {
		return s.refuse(at, "this file opens more than %d tables (table headers, parts of dotted keys, inline tables) for its %d bytes; rekindle reads at most %d plus one per %d bytes, which no contact list reaches",
			FreeTables+len(s.text)/BytesPerTable, len(s.text), FreeTables, BytesPerTable)
	}
	return true
}

func (s *tomlScan) refuse(at Position, format string, args ...any) bool {
	s.refused = true
	s.problem = nestingProblem{Pos: at, Msg: fmt.Sprintf(format, args...)}
	return false
}

// newline steps over the '\n' at s.i.
func (s *tomlScan) newline() {
	s.i++
	s.line++
	s.lineStart = s.i
}

// spaces skips spaces and tabs.
func (s *tomlScan) spaces() {
	for !s.eof() && (s.text[s.i] == ' ' || s.text[s.i] == '\t') {
		s.i++
	}
}

// blanks skips spaces, line ends and comments: what may stand between the
// parts of an array or an inline table.
func (s *tomlScan) blanks() {
	for !s.eof() {
		switch s.text[s.i] {
		case ' ', '\t', '\r':
			s.i++
		case '\n':
			s.newline()
		case '#':
			s.comment()
		default:
			return
		}
	}
}

// comment skips a comment up to the end of its line.
func (s *tomlScan) comment() {
	for !s.eof() && s.text[s.i] != '\n' && s.text[s.i] != '\r' {
		s.i++
	}
}

// document reads top-level lines: table headers and key = value pairs.
func (s *tomlScan) document() {
	for {
		s.blanks()
		if s.eof() {
			s.complete = true
			return
		}
		var ok bool
		if s.text[s.i] == '[' {
			start := s.i
			if ok = s.header(); ok {
				s.cut(start)
			}
		} else {
			ok = s.key() && s.value()
		}
		if !ok || !s.lineEnd() {
			return
		}
	}
}

// lineEnd reads what may follow a header or a value at the top: spaces, a
// comment, then the end of the line or of the file.
func (s *tomlScan) lineEnd() bool {
	s.spaces()
	if !s.eof() && s.text[s.i] == '#' {
		s.comment()
	}
	if s.eof() {
		return true
	}
	switch s.text[s.i] {
	case '\n':
		s.newline()
		return true
	case '\r':
		s.i++
		return true
	}
	return false
}

// header reads [name] or [[name]]; its brackets open no array.
func (s *tomlScan) header() bool {
	s.i++
	double := !s.eof() && s.text[s.i] == '['
	if double {
		s.i++
	}
	at := s.pos()
	parts, ok := s.keyParts(']')
	if !ok {
		return false
	}
	// The parts this header shares with the one before are tables that
	// one opened ([contact.dates] after [[contact]]); the rest are new,
	// and its last part always is (an [[array]] gets a new element).
	shared := 0
	for shared < len(s.parts)-1 && shared < len(s.lastHeader) && s.parts[shared] == s.lastHeader[shared] {
		shared++
	}
	s.lastHeader = append(s.lastHeader[:0], s.parts...)
	if !s.opens(parts-shared, at) {
		return false
	}
	s.i++ // ']'
	if double {
		if s.eof() || s.text[s.i] != ']' {
			return false
		}
		s.i++
	}
	return true
}

// cut notes the header read from start, if it is one at which the file
// may be cut: "[[contact]]" as written, alone on its line but for spaces
// and tabs before it (and a comment after, which lineEnd reads). Any other
// header after the first such one leaves the file whole.
func (s *tomlScan) cut(start int) {
	if s.noCuts {
		return
	}
	const header = "[[contact]]"
	if s.i-start == len(header) && s.text[start:s.i] == header && onlyBlanks(s.text[s.lineStart:start]) {
		s.cuts = append(s.cuts, s.lineStart)
		return
	}
	if len(s.cuts) > 0 {
		s.noCuts, s.cuts = true, nil
	}
}

func onlyBlanks(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] != ' ' && text[i] != '\t' {
			return false
		}
	}
	return true
}

// key reads a key up to and over its '='.
func (s *tomlScan) key() bool {
	at := s.pos()
	parts, ok := s.keyParts('=')
	if !ok || !s.opens(parts-1, at) {
		return false
	}
	s.i++
	return true
}

// keyParts reads dotted key parts, each bare or a one-line string, up to
// end (which it leaves to the caller), and counts them.
func (s *tomlScan) keyParts(end byte) (int, bool) {
	s.parts = s.parts[:0]
	for parts := 1; ; parts++ {
		if parts > MaxKeyParts {
			return 0, s.refuse(s.pos(), "a key or table name of more than %d dotted parts; rekindle's deepest is channels.NAME.headers.KEY", MaxKeyParts)
		}
		s.spaces()
		if s.eof() {
			return 0, false
		}
		start := s.i
		switch c := s.text[s.i]; {
		case c == '=' || c == '.' || c == ']':
			return 0, false // an empty key or key part
		case c == '"':
			if !s.basicString() {
				return 0, false
			}
		case c == '\'':
			if !s.literalString() {
				return 0, false
			}
		default:
			for !s.eof() && isBareKeyByte(s.text[s.i]) {
				s.i++
			}
		}
		s.parts = append(s.parts, s.text[start:s.i])
		s.spaces()
		if s.eof() {
			return 0, false
		}
		switch s.text[s.i] {
		case '.':
			s.i++
		case end:
			return parts, true
		default:
			return 0, false
		}
	}
}

func isBareKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// value reads one value, with all the arrays and inline tables it holds.
// It keeps the open ones on s.open rather than recursing, and refuses the
// text as soon as they are more than the limit.
func (s *tomlScan) value() bool {
	base := len(s.open)
	for {
		// A value starts here.
		s.spaces()
		if s.eof() {
			return false
		}
		switch c := s.text[s.i]; c {
		case '[', '{':
			if c == '{' && !s.opens(1, s.pos()) {
				return false
			}
			s.open = append(s.open, c)
			if len(s.open) > s.limit {
				return s.refuse(s.pos(), "arrays and inline tables nest more than %d deep here; rekindle reads no such config", s.limit)
			}
			s.i++
			s.blanks()
			if s.eof() || s.text[s.i] == ',' {
				return false
			}
			if s.text[s.i] == closer(c) {
				break // an empty one: its end is read below
			}
			if c == '{' && !s.key() {
				return false
			}
			continue // its first element, or the value of its first key
		case '"', '\'':
			if !s.stringValue(c) {
				return false
			}
		case ']', '}', '#', ',', '=', '\n', '\r':
			return false // no value
		default:
			// A number, date, time or boolean: nothing in it opens or
			// closes anything.
			for !s.eof() && !isStructural(s.text[s.i]) {
				s.i++
			}
		}
		// A value ended: close what it ends, up to a separator before the
		// next one.
		for {
			if len(s.open) == base {
				return true
			}
			s.blanks()
			if s.eof() {
				return false
			}
			inner := s.open[len(s.open)-1]
			if s.text[s.i] == closer(inner) {
				s.i++
				s.open = s.open[:len(s.open)-1]
				continue
			}
			if s.text[s.i] != ',' {
				return false
			}
			s.i++
			s.blanks()
			if s.eof() || s.text[s.i] == ',' {
				return false
			}
			if s.text[s.i] == closer(inner) {
				continue // after a trailing comma
			}
			if inner == '{' && !s.key() {
				return false
			}
			break
		}
	}
}

func closer(open byte) byte {
	if open == '[' {
		return ']'
	}
	return '}'
}

// isStructural tells the bytes that end a bare value.
func isStructural(c byte) bool {
	switch c {
	case '"', '\'', '[', ']', '{', '}', '#', ',', '=', '\n', '\r':
		return true
	}
	return false
}

// stringValue reads a string value of any of the four kinds.
func (s *tomlScan) stringValue(q byte) bool {
	if s.i+2 < len(s.text) && s.text[s.i+1] == q && s.text[s.i+2] == q {
		s.stringOpened = s.pos()
		s.i += 3
		return s.multiLineString(q)
	}
	if q == '"' {
		return s.basicString()
	}
	return s.literalString()
}

// basicString reads "...", with backslash escapes, on one line.
func (s *tomlScan) basicString() bool {
	for s.i++; !s.eof(); s.i++ {
		switch s.text[s.i] {
		case '"':
			s.i++
			return true
		case '\\':
			s.i++ // the escaped byte: an escaped quote does not close
			if s.eof() || s.text[s.i] == '\n' || s.text[s.i] == '\r' {
				return false
			}
		case '\n', '\r':
			return false
		}
	}
	return false
}

// literalString reads '...' on one line; nothing is escaped in it.
func (s *tomlScan) literalString() bool {
	for s.i++; !s.eof(); s.i++ {
		switch s.text[s.i] {
		case '\'':
			s.i++
			return true
		case '\n', '\r':
			return false
		}
	}
	return false
}

// multiLineString reads the rest of a multi-line string, basic or literal
// (three double or three single quotes), whose opening quotes have been
// read. Up to two quotes may stand just before the closing three, so a run
// of three to five quotes closes the string; a run of six or more is not
// TOML. The decoder reads some such runs on (after an escaped backslash it
// closes at the last three of six), so the check refuses them all rather
// than guess.
func (s *tomlScan) multiLineString(q byte) bool {
	for !s.eof() {
		switch c := s.text[s.i]; {
		case c == '\n':
			s.newline()
		case c == '\\' && q == '"':
			s.i++
			if !s.eof() {
				if s.text[s.i] == '\n' {
					s.newline()
				} else {
					s.i++
				}
			}
		case c == q:
			at := s.pos()
			n := 0
			for !s.eof() && s.text[s.i] == q {
				n++
				s.i++
			}
			if n >= 6 {
				return s.refuse(at, "%d %c in a row in the multi-line string that opens at line %d; TOML allows at most five (two inside, three to close)", n, q, s.stringOpened.Line)
			}
			if n >= 3 {
				return true
			}
		default:
			s.i++
		}
	}
	return false
}
