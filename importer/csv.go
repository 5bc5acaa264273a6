package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rekindle/rekindle/internal/terminal"
	"github.com/rekindle/rekindle/rules"
)

// Fields are what a CSV column can hold, as --map names them.
var Fields = []string{"name", "given", "middle", "family", "nickname", "email", "phone", "birthday", "anniversary"}

// Mapping maps each field to the CSV columns that hold it, by header.
type Mapping map[string][]string

// ParseMapping reads --map values: "name=Full Name,email=E-mail 1 - Value";
// a field may be named more than once (email=Work,email=Home).
func ParseMapping(specs []string) (Mapping, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	m := Mapping{}
	known := map[string]bool{}
	for _, f := range Fields {
		known[f] = true
	}
	for _, spec := range specs {
		for _, pair := range strings.Split(spec, ",") {
			field, column, ok := strings.Cut(pair, "=")
			field, column = strings.ToLower(strings.TrimSpace(field)), strings.TrimSpace(column)
			if !ok || column == "" {
				return nil, fmt.Errorf("--map %q: write FIELD=COLUMN, such as name=Full Name", pair)
			}
			if !known[field] {
				return nil, fmt.Errorf("--map %q: no field %q; the fields are %s", pair, field, strings.Join(Fields, ", "))
			}
			m[field] = append(m[field], column)
		}
	}
	if len(m["name"]) == 0 && len(m["given"]) == 0 && len(m["family"]) == 0 {
		return nil, errors.New("--map needs a column for name (or for given and family)")
	}
	return m, nil
}

// Limits on a CSV row: encoding/csv holds a whole row in memory, with no
// limit of its own (one row of 100 MB and 50 million fields took 4.3 GB).
// An export's row is a few kilobytes and a hundred columns.
const (
	MaxRowBytes = 256 << 10
	MaxFields   = 1000
)

// errRowTooLong stops the CSV reader in a row longer than MaxRowBytes.
var errRowTooLong = errors.New("row too long")

// rowLimit passes the CSV reader no more than MaxRowBytes past the end of
// the last row it read (and its read-ahead). It also checks that what it
// passes is UTF-8, all of it in one pass: while it is, so is every field
// of every row read from it (the reader cuts the fields at commas, quotes
// and line ends, never inside a character), and read need not look at
// each field on its own.
type rowLimit struct {
	r        io.Reader
	n, limit int64
	// notUTF8 is set once a read has passed a byte that is not UTF-8,
	// or a character the reads cut that could not be checked: read then
	// checks every field of the rows from there, to name the line.
	notUTF8 bool
	cut     []byte // the start of a character the last read ended in
	cutBuf  [utf8.UTFMax]byte
}

func (l *rowLimit) Read(p []byte) (int, error) {
	if l.n >= l.limit {
		return 0, errRowTooLong
	}
	p = p[:min(int64(len(p)), l.limit-l.n)]
	n, err := l.r.Read(p)
	l.n += int64(n)
	l.check(p[:n])
	if err != nil && len(l.cut) > 0 {
		l.notUTF8 = true // the input ends inside a character
	}
	return n, err
}

// check checks that p, following what the reads passed before it, is
// UTF-8.
func (l *rowLimit) check(p []byte) {
	if l.notUTF8 || len(p) == 0 {
		return
	}
	if len(l.cut) > 0 {
		// The rest of the character the last read ended in.
		k := runeLen(l.cut[0]) - len(l.cut)
		if len(p) < k {
			l.notUTF8 = true // a read of a byte or two: leave it to read
			return
		}
		var b [utf8.UTFMax]byte
		m := copy(b[:], l.cut)
		m += copy(b[m:], p[:k])
		if !utf8.Valid(b[:m]) {
			l.notUTF8 = true
			return
		}
		p, l.cut = p[k:], nil
	}
	// A character this read ends in is checked with the next.
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if c := p[i]; c >= 0xC0 {
			if i+runeLen(c) > len(p) {
				l.cut = append(l.cutBuf[:0], p[i:]...)
				p = p[:i]
			}
			break
		} else if c < utf8.RuneSelf {
			break
		}
	}
	if !utf8.Valid(p) {
		l.notUTF8 = true
	}
}

// runeLen is the length of the UTF-8 sequence that c starts, c >= 0xC0;
// check finds a lead byte that starts none (0xF8 and above) not UTF-8.
func runeLen(c byte) int {
	switch {
	case c < 0xE0:
		return 2
	case c < 0xF0:
		return 3
	}
	return 4
}

// csvReadAhead is more than encoding/csv reads ahead of the row it parses.
const csvReadAhead = 64 << 10

// csvReader reads one person per record after the header row.
type csvReader struct {
	r       *csv.Reader
	limit   *rowLimit
	line    int // where the next row starts, as far as the last one tells
	now     importDay
	columns map[string][]int // field → column indexes
	// The columns of each field, looked up once for every row.
	name, given, middle, family, nickname, email, phone []int
	dates                                               [2][]int // birthday, anniversary
	events                                              [][2]int // Google's "Event N - Label" and "Event N - Value"
	// phoneLabel is the "Phone N - Label" column of a "Phone N - Value".
	phoneLabel map[int]int
	notTheirs  []int  // columns of numbers that reach someone else
	charset    string // the file's, when it is not UTF-8
	header     []string
	// What take cuts the lists of a row from.
	listArray []string
	dateArray []rules.Occasion
}

// take cuts n elements from the front of *from, making it anew for 64
// rows when it has too few left: two allocations a row were a twentieth
// of a CSV import's CPU. The part taken is capped at n, so that a list
// that grows past it goes to an array of its own, not into the next row's.
func take[T any](from *[]T, n int) []T {
	if len(*from) < n {
		*from = make([]T, 64*n)
	}
	part := (*from)[:n:n]
	*from = (*from)[n:]
	return part
}

func newCSV(r io.Reader, fields Mapping, now time.Time, charset string) (*csvReader, error) {
	limit := &rowLimit{r: r, limit: MaxRowBytes + csvReadAhead}
	cr := csv.NewReader(limit)
	cr.FieldsPerRecord = -1 // exports leave trailing empty cells out
	cr.ReuseRecord = true   // Next is done with a row before it reads the next
	c := &csvReader{r: cr, limit: limit, line: 1, now: newImportDay(now), columns: map[string][]int{}, phoneLabel: map[int]int{}, charset: charset}
	header, err := c.read()
	if err != nil {
		return nil, csvError(err, "the header row")
	}
	header = append([]string(nil), header...) // the reader reuses its slice
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], string(bom))
	}
	c.header = header
	if fields != nil {
		index := map[string]int{}
		for i, h := range header {
			index[strings.ToLower(strings.TrimSpace(h))] = i
		}
		for field, cols := range fields {
			for _, col := range cols {
				i, ok := index[strings.ToLower(col)]
				if !ok {
					return nil, fmt.Errorf("--map %s=%s: no column %q in the header row (%s)", field, col, col, strings.Join(header, ", "))
				}
				c.columns[field] = append(c.columns[field], i)
			}
		}
	} else {
		c.recognise()
	}
	if len(c.columns["name"]) == 0 && len(c.columns["given"]) == 0 && len(c.columns["family"]) == 0 {
		return nil, fmt.Errorf("no column of this CSV holds a name (the header row is %s); say which with --map name=COLUMN",
			clip(strings.Join(header, ", ")))
	}
	col := c.columns
	c.name, c.given, c.middle, c.family, c.nickname = col["name"], col["given"], col["middle"], col["family"], col["nickname"]
	c.email, c.phone, c.dates = col["email"], col["phone"], [2][]int{col["birthday"], col["anniversary"]}
	return c, nil
}

// recognise finds the columns of Google Contacts' export (First Name,
// E-mail 1 - Value, Phone 1 - Value, Birthday, Event 1 - Label/Value; or
// the older Name, Given Name, Family Name), Outlook's (First Name, E-mail
// Address, E-mail 2 Address, Mobile Phone, Birthday, Anniversary) and plain
// ones (Name, Email, Phone).
func (c *csvReader) recognise() {
	labels, phoneLabels := map[string]int{}, map[string]int{}
	for i, h := range c.header {
		k := strings.ToLower(strings.TrimSpace(h))
		field := ""
		switch {
		case k == "name" || k == "full name" || k == "display name":
			field = "name"
		case k == "first name" || k == "given name":
			field = "given"
		case k == "nickname":
			field = "nickname"
		case k == "middle name" || k == "additional name":
			field = "middle"
		case k == "last name" || k == "family name" || k == "surname":
			field = "family"
		case k == "birthday" || k == "birth date" || k == "date of birth":
			field = "birthday"
		case k == "anniversary":
			field = "anniversary"
		case strings.HasPrefix(k, "event ") && (strings.HasSuffix(k, " - label") || strings.HasSuffix(k, " - type")):
			// Google's export names the kind of an event in "Event 1 -
			// Label", and did in "Event 1 - Type".
			labels[strings.TrimSuffix(strings.TrimSuffix(k, " - label"), " - type")] = i
			continue
		case strings.HasPrefix(k, "event ") && strings.HasSuffix(k, " - value"):
			if l, ok := labels[strings.TrimSuffix(k, " - value")]; ok {
				c.events = append(c.events, [2]int{l, i})
			}
			continue
		case strings.Contains(k, "mail") && !strings.Contains(k, "type") && !strings.Contains(k, "label") && !strings.Contains(k, "display"):
			field = "email"
		case strings.HasPrefix(k, "phone ") && (strings.HasSuffix(k, " - label") || strings.HasSuffix(k, " - type")):
			phoneLabels[strings.TrimSuffix(strings.TrimSuffix(k, " - label"), " - type")] = i
			continue
		case strings.Contains(k, "phone") && (strings.Contains(k, "assistant") || strings.Contains(k, "company main")):
			// Outlook's "Assistant's Phone" and "Company Main Phone"
			// reach someone else.
			c.notTheirs = append(c.notTheirs, i)
			continue
		case strings.Contains(k, "phone") && !strings.Contains(k, "type") && !strings.Contains(k, "label"):
			field = "phone"
			if l, ok := phoneLabels[strings.TrimSuffix(k, " - value")]; ok && strings.HasSuffix(k, " - value") {
				c.phoneLabel[i] = l
			}
		default:
			continue
		}
		c.columns[field] = append(c.columns[field], i)
	}
}

// read reads one record within MaxRowBytes and MaxFields.
func (c *csvReader) read() ([]string, error) {
	rec, err := c.r.Read()
	if errors.Is(err, errRowTooLong) {
		return nil, &SyntaxError{Line: c.line, Msg: fmt.Sprintf("the row that starts here is more than %d bytes long; rekindle reads no such CSV", MaxRowBytes)}
	}
	if err != nil {
		return rec, err
	}
	start, _ := c.r.FieldPos(0)
	if len(rec) > MaxFields {
		return nil, &SyntaxError{Line: start, Msg: fmt.Sprintf("the row that starts here has %d fields; rekindle reads at most %d", len(rec), MaxFields)}
	}
	if c.limit.notUTF8 || c.charset != "" { // else every field is UTF-8 (rowLimit)
		for i, f := range rec {
			switch {
			case !utf8.ValidString(f):
				line, _ := c.r.FieldPos(i)
				return nil, &SyntaxError{Line: line, Msg: fmt.Sprintf("byte 0x%02X is not UTF-8; if the file was written as Windows-1252 "+
					"(as Outlook writes CSV) or Latin-1, import it with --charset windows-1252 or --charset ISO-8859-1",
					f[firstInvalid([]byte(f))])}
			case c.charset != "" && strings.ContainsRune(f, utf8.RuneError):
				// The decoder writes U+FFFD for a byte its set has no
				// character for.
				line, _ := c.r.FieldPos(i)
				return nil, &SyntaxError{Line: line, Msg: fmt.Sprintf("the row holds bytes that are not characters of %s", c.charset)}
			}
		}
	}
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.line = last + strings.Count(rec[len(rec)-1], "\n") + 1
	c.limit.limit = c.r.InputOffset() + MaxRowBytes + csvReadAhead
	return rec, nil
}

// Next reads one record.
func (c *csvReader) Next() (Person, error) {
	rec, err := c.read()
	if err == io.EOF {
		return Person{}, io.EOF
	}
	if err != nil {
		return Person{}, csvError(err, "")
	}
	line, _ := c.r.FieldPos(0)
	cell := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	// lineOf is the line of column i; a row that leaves out its trailing
	// cells (as exports do) has none past its last, which are empty.
	lineOf := func(i int) int {
		if i < len(rec) {
			l, _ := c.r.FieldPos(i)
			return l
		}
		return line
	}
	p := Person{Line: line}
	// Google joins several values of one cell with " ::: ". join is the
	// values of the fields one space apart, first the first value of one.
	join := func(first bool, fields ...[]int) string {
		var b strings.Builder
		one, n := "", 0
		for _, cols := range fields {
			for _, i := range cols {
				for rest, more := cell(i), true; more; {
					var v string
					v, rest, more = strings.Cut(rest, ":::")
					if v = strings.TrimSpace(v); v == "" {
						continue
					}
					if n++; n == 1 {
						if first {
							return v
						}
						one = v
						continue
					}
					if n == 2 {
						b.Grow(len(one) + 1 + len(v)) // two values, as most names have: one allocation
						b.WriteString(one)
					}
					b.WriteByte(' ')
					b.WriteString(v)
				}
			}
		}
		if n <= 1 {
			return one
		}
		return b.String()
	}
	add := func(line int, email bool, cell string) {
		for more := true; more; {
			var v string
			v, cell, more = strings.Cut(cell, ":::")
			p.add(line, email, v)
		}
	}
	p.Name = join(false, c.name)
	if p.Name == "" {
		p.Name = join(false, c.given, c.middle, c.family)
	}
	p.setName(line, p.Name)
	if nick := join(true, c.nickname); nick != "" {
		p.setCalled(line, nick)
	} else if given := join(true, c.given); given != "" {
		p.setCalled(line, given)
	}
	// One part of an array for the addresses and the numbers of the
	// row, each list in its own part of it (a cell of several values
	// may grow one out into an array of its own); an empty list stays
	// nil. The array is cut for many rows in turn (take), as the one
	// for the dates is.
	ne := len(c.email) + 1
	lists := take(&c.listArray, ne+len(c.phone)+1)
	p.Emails, p.Phones = lists[:0:ne], lists[ne:ne]
	p.Occasions = take(&c.dateArray, len(c.dates[0])+len(c.dates[1])+len(c.events))[:0]
	for _, i := range c.email {
		add(lineOf(i), true, cell(i))
	}
	for _, i := range c.phone {
		line := lineOf(i)
		if l, ok := c.phoneLabel[i]; ok && cell(i) != "" {
			if label := cell(l); containsFold(label, "fax") || containsFold(label, "pager") {
				p.Notes = append(p.Notes, Note{line, fmt.Sprintf("%q is a %s number; left out", cell(i), strings.TrimPrefix(cell(l), "* "))})
				continue
			}
		}
		add(line, false, cell(i))
	}
	for _, i := range c.notTheirs {
		if cell(i) != "" {
			line := lineOf(i)
			p.Notes = append(p.Notes, Note{line, fmt.Sprintf("%s %q is not their own number; left out", c.header[i], cell(i))})
		}
	}
	for k, f := range [2]string{rules.Birthday, "anniversary"} {
		for _, i := range c.dates[k] {
			line := lineOf(i)
			p.addDate(line, f, cell(i), 0, c.now)
		}
	}
	for _, ev := range c.events {
		name := strings.ToLower(strings.TrimPrefix(cell(ev[0]), "* "))
		if name == "" || cell(ev[1]) == "" {
			continue
		}
		line := lineOf(ev[1])
		if terminal.HasHidden(name) {
			p.Notes = append(p.Notes, Note{line, fmt.Sprintf("the occasion %q holds control characters or direction overrides; left out", name)})
			continue
		}
		p.addDate(line, name, cell(ev[1]), 0, c.now)
	}
	if len(p.Emails) == 0 {
		p.Emails = nil
	}
	if len(p.Phones) == 0 {
		p.Phones = nil
	}
	if len(p.Occasions) == 0 {
		p.Occasions = nil
	}
	return p, nil
}

// containsFold tells whether s holds sub, a word in lower-case ASCII,
// in any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		// Only where the first letter could match: that letter in
		// either case, or a rune past ASCII (which EqualFold folds).
		if c := s[i]; (c|0x20 == sub[0] || c >= utf8.RuneSelf) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// csvError gives a CSV reader's error its line.
func csvError(err error, where string) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if pe.StartLine != pe.Line {
			msg += fmt.Sprintf(" (in the record that starts on line %d)", pe.StartLine)
		}
		return &SyntaxError{Line: pe.Line, Msg: msg}
	}
	if err == io.EOF {
		return &SyntaxError{Line: 1, Msg: "the file is empty; a CSV needs " + where}
	}
	return err
}
