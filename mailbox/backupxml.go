package mailbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/orisano/gosax"
)

// SMS Backup & Restore's files, read as a stream: one <call/>, <sms/> or
// <mms>...</mms> at a time, never a file whole. gosax finds the tags
// (encoding/xml's RawToken loop takes 6.6 s over a 1,000,000-call file,
// gosax 0.3 s: bench/phonebackup.sh), and only the few attributes a record
// needs are looked at: a text's body and an MMS's parts pass by unread,
// never unescaped, kept or checked. So a body of invalid UTF-8, which
// stops encoding/xml for the rest of the file ("invalid UTF-8", and its
// decoder cannot go on after an error), costs nothing here.

// backupItem is one call or text as the file has it.
type backupItem struct {
	elem     string // "call", "sms" or "mms"
	typ      int    // the call's type, the sms's type, the mms's msg_box
	number   string // the other party (an MMS: the sender, or the one recipient)
	millis   int64  // date, Unix milliseconds
	duration int    // seconds, for a call
	parties  int    // how many other numbers an MMS went to or came with
	problem  string // what made it unreadable; "" for none
}

// errEntities is the error for a document type that declares entities:
// the app never writes one, and one that does is how an entity bomb
// (billion laughs) or an external entity comes in. No entity is ever
// expanded (neither gosax nor this reader does), but such a file is not
// the app's and is refused whole.
var errEntities = errors.New("its DOCTYPE declares entities, which SMS Backup & Restore never writes (an entity bomb or an external entity); the file is refused")

// errNotBackup is the error for an XML file whose root is not the app's.
var errNotBackup = errors.New("not an SMS Backup & Restore file: its root element is not <smses> or <calls>")

// backupReader reads one backup file from an offset.
type backupReader struct {
	x     *gosax.Reader
	parts *partsFilter
	begin int64 // the offset in the file the read began at
	off   int64 // the offset of the next event's first byte, in what parts passes on
	safe  int64 // the offset in the file after the last complete record: where to resume
	depth int   // 1 inside the root
	item  backupItem
	open  bool // an item is open (an <mms> or a <call></call> not yet closed)
	// of an open mms:
	from    string
	to      map[string]bool
	more    int // the numbers it went to past maxParties, not held
	address string
}

// backupBuffer is gosax's window: a start tag larger than this (an MMS
// part with its picture) grows it for as long as it is read.
const backupBuffer = 256 << 10

// newBackupReader reads r, the size bytes of a file from start on. Its
// buffers are no larger than size: a file read again with one newline
// past its cursor costs a few hundred bytes, not a window's worth.
func newBackupReader(r io.Reader, start, size int64) *backupReader {
	parts := newPartsFilter(r, size)
	b := &backupReader{x: gosax.NewReaderSize(parts, bufferFor(size, backupBuffer)), parts: parts, begin: start, safe: start}
	if start > 0 {
		b.depth = 1 // resumed inside the root
	}
	return b
}

// read hands each complete record to each, in the order of the file,
// with the offset after it. It ends at the end of the root element or of
// the file; a file that ends inside an element (being synced right now)
// ends at the last complete record: cut says so, and the next read
// resumes there.
func (b *backupReader) read(each func(it backupItem, end int64) error) (cut bool, err error) {
	for {
		e, err := b.x.Event()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return true, nil
		}
		if errors.Is(err, errTagTooLong) {
			return false, fmt.Errorf("after byte %d: %w", b.safe, err)
		}
		if err != nil {
			return false, fmt.Errorf("after byte %d: not well-formed XML (%w)", b.safe, err)
		}
		b.off += int64(len(e.Bytes))
		switch e.Type() {
		case gosax.EventEOF:
			return b.depth > 0 || b.open, nil
		case gosax.EventDocType:
			if bytes.Contains(e.Bytes, []byte("<!ENTITY")) {
				return false, errEntities
			}
		case gosax.EventStart:
			if err := b.start(e.Bytes, each); err != nil {
				return false, err
			}
		case gosax.EventEnd:
			done, err := b.end(each)
			if done || err != nil {
				return false, err
			}
		}
	}
}

// start reads a start tag (or a self-closing one).
func (b *backupReader) start(tag []byte, each func(backupItem, int64) error) error {
	closed := bytes.HasSuffix(tag, []byte("/>"))
	name, attrs := tagName(tag)
	switch {
	case b.depth == 0:
		if string(name) != "smses" && string(name) != "calls" {
			return errNotBackup
		}
		b.depth = 1
		b.markSafe()
		return nil
	case b.depth == 1:
		b.item = backupItem{elem: string(name)}
		switch b.item.elem {
		case "call", "sms":
			b.record(attrs)
		case "mms":
			b.from, b.address, b.more = "", "", 0
			clear(b.to)
			b.mms(attrs)
		}
		if closed {
			return b.complete(each)
		}
		b.open = true
	case b.item.elem == "mms" && string(name) == "addr":
		b.addr(attrs)
	}
	if !closed {
		b.depth++
	}
	return nil
}

// end reads an end tag; done at the root's.
func (b *backupReader) end(each func(backupItem, int64) error) (done bool, err error) {
	b.depth--
	switch {
	case b.depth <= 0:
		b.markSafe()
		return true, nil
	case b.depth == 1 && b.open:
		b.open = false
		return false, b.complete(each)
	}
	return false, nil
}

// complete hands on the item just closed.
func (b *backupReader) complete(each func(backupItem, int64) error) error {
	b.markSafe()
	it := b.item
	switch it.elem {
	case "call", "sms":
	case "mms":
		b.finishMMS(&it)
	default:
		return nil // an element the app does not write: passed over
	}
	return each(it, b.safe)
}

// markSafe says the read may resume here, after what was just read.
func (b *backupReader) markSafe() { b.safe = b.begin + b.parts.fileOffset(b.off) }

// record reads a <call/>'s or an <sms/>'s attributes.
func (b *backupReader) record(attrs []byte) {
	it := &b.item
	numberKey := "number"
	if it.elem == "sms" {
		numberKey = "address"
	}
	var date, typ, dur []byte
	eachAttr(attrs, func(k, v []byte) {
		switch string(k) {
		case numberKey:
			it.number = attrText(v)
		case "date":
			date = v
		case "type":
			typ = v
		case "duration":
			dur = v
		}
	})
	it.millis, it.typ, it.duration = b.numbers(date, typ, dur)
	if it.elem == "sms" && strings.Contains(it.number, "~") {
		it.parties = strings.Count(it.number, "~") + 1 // a text to several, as the app lists them
	}
}

// numbers reads date, type and duration, saying in the item's problem
// what is missing or not a number.
func (b *backupReader) numbers(date, typ, dur []byte) (millis int64, t, d int) {
	it := &b.item
	var err error
	if millis, err = strconv.ParseInt(string(date), 10, 64); err != nil {
		it.problem = fmt.Sprintf("a %s whose date %q is not a time in milliseconds", it.elem, date)
	}
	n, err := strconv.Atoi(string(typ))
	if err != nil && it.problem == "" {
		what := "type"
		if it.elem == "mms" {
			what = "msg_box"
		}
		it.problem = fmt.Sprintf("a %s whose %s %q is not a number", it.elem, what, typ)
	}
	if dur != nil {
		if d, err = strconv.Atoi(string(dur)); err != nil && it.problem == "" {
			it.problem = fmt.Sprintf("a call whose duration %q is not a number of seconds", dur)
		}
	}
	return millis, n, d
}

// mms reads an <mms>'s own attributes.
func (b *backupReader) mms(attrs []byte) {
	var date, box []byte
	eachAttr(attrs, func(k, v []byte) {
		switch string(k) {
		case "date":
			date = v
		case "msg_box":
			box = v
		case "address":
			b.address = attrText(v)
		}
	})
	b.item.millis, b.item.typ, _ = b.numbers(date, box, nil)
}

// The types of an MMS's <addr/> (its PDU's header fields).
const (
	addrFrom = 137
	addrTo   = 151
	addrCc   = 130
	addrBcc  = 129
)

// addr reads one <addr/> of an mms: who sent it, whom it went to.
func (b *backupReader) addr(attrs []byte) {
	var address string
	typ := 0
	eachAttr(attrs, func(k, v []byte) {
		switch string(k) {
		case "address":
			address = attrText(v)
		case "type":
			typ, _ = strconv.Atoi(string(v))
		}
	})
	if address == "" || address == "insert-address-token" { // the app's word for the user's own
		return
	}
	switch typ {
	case addrFrom:
		b.from = address
	case addrTo, addrCc, addrBcc:
		if b.to == nil {
			b.to = map[string]bool{}
		}
		if len(b.to) < maxParties {
			b.to[address] = true
		} else {
			b.more++
		}
	}
}

// maxParties is how many numbers of one MMS the reader holds: past it, the
// MMS is a group text whatever the rest are, and a hostile file's million
// <addr/> cost no more memory than this many.
const maxParties = 256

// The msg_box of an MMS.
const (
	mmsInbox = 1
	mmsSent  = 2
)

// finishMMS says who an MMS was with, and with how many. One received
// names its sender (from) and everyone it went to, the user among them;
// one sent names everyone it went to. The app's own address attribute
// lists the others, separated by "~": the larger count of the two is
// taken, so a group is seen as one either way.
func (b *backupReader) finishMMS(it *backupItem) {
	others := len(b.to) + b.more
	if it.typ == mmsInbox {
		delete(b.to, b.from)
		others = max(len(b.to)+b.more, 1) // the sender, and the others beside the user
		it.number = b.from
	} else if len(b.to) == 1 {
		for n := range b.to {
			it.number = n
		}
	}
	listed := 0
	if b.address != "" {
		listed = strings.Count(b.address, "~") + 1
	}
	it.parties = max(others, listed)
	if it.number == "" && listed == 1 {
		it.number = b.address
	}
}

// tagName splits a start tag into its name and its attributes.
func tagName(tag []byte) (name, attrs []byte) {
	tag = bytes.TrimPrefix(tag, []byte("<"))
	tag = bytes.TrimSuffix(tag, []byte(">"))
	tag = bytes.TrimSuffix(tag, []byte("/"))
	i := bytes.IndexAny(tag, " \t\r\n")
	if i < 0 {
		return tag, nil
	}
	return tag[:i], tag[i+1:]
}

// eachAttr calls fn with each attribute's name and raw value (quotes
// off, nothing unescaped). Malformed attributes end the list: gosax's
// own NextAttribute indexes past the end of `a=` with no value.
func eachAttr(b []byte, fn func(k, v []byte)) {
	for {
		b = skipSpace(b)
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 {
			return
		}
		k := b[:eq]
		for len(k) > 0 && isSpace(k[len(k)-1]) {
			k = k[:len(k)-1]
		}
		b = skipSpace(b[eq+1:])
		if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
			return
		}
		end := bytes.IndexByte(b[1:], b[0])
		if end < 0 {
			return
		}
		fn(k, b[1:1+end])
		b = b[end+2:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

// attrText is an attribute's value as text: the five entities and
// character references unescaped (a number seldom has one).
func attrText(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	u, err := gosax.Unescape(bytes.Clone(v))
	if err != nil {
		return string(v)
	}
	return string(u)
}
