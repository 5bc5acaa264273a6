package mailbox

import (
	"bytes"
	"errors"
	"io"
)

// partsFilter passes a backup file on without its MMS parts: each
// <parts>...</parts> block is left out as it streams by. A part holds the
// message's text and, in its data attribute, its picture or video in
// base64, megabytes in one attribute; nothing of it is read, and a
// tokenizer never has to hold one whole. It remembers where it left
// blocks out, so that an offset in what it passed on is one in the file.
type partsFilter struct {
	r        io.Reader
	buf      []byte // read from r, not yet passed on or left out
	data     []byte // buf's backing array
	eof      bool
	skipping bool
	out      int64  // bytes passed on
	dropped  int64  // bytes left out of the block in progress
	drops    []drop // the blocks left out, in order
	base     int64  // bytes left out before drops[0]
	run      int64  // bytes passed on since the last '>'
}

// maxTag is the longest run of bytes without a '>' passed on: a tag the
// app writes outside an MMS's parts (a text with its body) is a few
// kilobytes, and a longer one would grow the tokenizer's window to hold it
// whole. 4 MB keeps that window under 8 MB.
const maxTag = 4 << 20

// errTagTooLong is the error of a run of more than maxTag bytes without
// a '>'.
var errTagTooLong = errors.New("a tag of more than 4 MB, which SMS Backup & Restore never writes outside an MMS's parts; the rest of the file is not read")

// drop is a block left out: at the offset in what was passed on where it
// stood, and how long it was.
type drop struct{ at, n int64 }

var (
	partsOpen  = []byte("<parts>")
	partsClose = []byte("</parts>")
)

const filterBuffer = 64 << 10

// newPartsFilter filters r, which holds about size bytes: its buffer is no
// larger than that (a file read again for its last newline, or a small
// one, costs a small buffer), nor than filterBuffer.
func newPartsFilter(r io.Reader, size int64) *partsFilter {
	d := make([]byte, bufferFor(size, filterBuffer))
	return &partsFilter{r: r, data: d, buf: d[:0]}
}

// fill reads more into buf.
func (f *partsFilter) fill() {
	if f.eof {
		return
	}
	if len(f.buf) == cap(f.buf) || cap(f.buf)-len(f.buf) < cap(f.data)/4 { // compact
		n := copy(f.data, f.buf)
		f.buf = f.data[:n]
	}
	n, err := f.r.Read(f.buf[len(f.buf):cap(f.buf)])
	f.buf = f.buf[:len(f.buf)+n]
	if err != nil {
		f.eof = true
	}
}

func (f *partsFilter) Read(p []byte) (int, error) {
	for {
		if len(f.buf) < len(partsClose) {
			f.fill()
		}
		if f.skipping {
			if i := bytes.Index(f.buf, partsClose); i >= 0 {
				f.dropped += int64(i + len(partsClose))
				f.buf = f.buf[i+len(partsClose):]
				f.drops = append(f.drops, drop{f.out, f.dropped})
				f.skipping, f.dropped = false, 0
				continue
			}
			// All but what could be the start of </parts>.
			keep := min(len(f.buf), len(partsClose)-1)
			f.dropped += int64(len(f.buf) - keep)
			f.buf = f.buf[len(f.buf)-keep:]
			if f.eof {
				return 0, io.EOF // cut off inside the parts
			}
			f.fill()
			continue
		}
		n := len(f.buf)
		i := bytes.Index(f.buf, partsOpen)
		switch {
		case i == 0:
			f.skipping, f.dropped = true, int64(len(partsOpen))
			f.buf = f.buf[len(partsOpen):]
			continue
		case i > 0:
			n = i
		case !f.eof:
			n = max(0, len(f.buf)-(len(partsOpen)-1)) // what could be the start of <parts> waits
		}
		if n == 0 {
			if f.eof {
				return 0, io.EOF
			}
			f.fill()
			continue
		}
		if f.run > maxTag {
			return 0, errTagTooLong
		}
		c := copy(p, f.buf[:n])
		if i := bytes.LastIndexByte(p[:c], '>'); i >= 0 {
			f.run = int64(c - i - 1)
		} else {
			f.run += int64(c)
		}
		f.buf = f.buf[c:]
		f.out += int64(c)
		return c, nil
	}
}

// bufferFor is the size of a buffer for reading about size bytes: room
// for them all, but no more than most, nor less than a few hundred bytes.
func bufferFor(size int64, most int) int {
	const least = 512
	return int(max(least, min(size+1, int64(most))))
}

// fileOffset is the offset in the file of off, an offset in what was
// passed on (both from where the filter started) that stands between two
// elements. Blocks left out before it are forgotten: it is asked of
// offsets in order.
func (f *partsFilter) fileOffset(off int64) int64 {
	for len(f.drops) > 0 && f.drops[0].at <= off {
		f.base += f.drops[0].n
		f.drops = f.drops[1:]
	}
	return off + f.base
}
