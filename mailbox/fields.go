package mailbox

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/mail"
)

// headerReader reads a message's header block as net/mail's ReadMessage
// does, but hands net/mail only the fields rekindle reads (headerFields):
// the Received lines, the signatures and the rest, most of a header
// block, are passed over without a string or a map entry made for them.
// A block net/mail would refuse (a line that is no field, a first line
// that continues nothing, no blank line at its end) goes to net/mail
// whole, so that it says why as it always has. One serves a folder: its
// buffers are reused.
type headerReader struct {
	br    *bufio.Reader
	block []byte // the header block as read
	kept  []byte // its lines of headerFields
	r     bytes.Reader
	// kr reads kept for net/mail, which takes a *bufio.Reader as it is
	// and would make one of 4 KiB a message for anything else.
	kr *bufio.Reader
}

func newHeaderReader() *headerReader {
	hr := &headerReader{br: bufio.NewReader(nil)}
	hr.kr = bufio.NewReader(&hr.r)
	return hr
}

// read reads the header block at the start of r.
func (hr *headerReader) read(r io.Reader) (mail.Header, error) {
	hr.br.Reset(r)
	hr.block, hr.kept = hr.block[:0], hr.kept[:0]
	keep := false
	for first := true; ; first = false {
		start := len(hr.block)
		if err := hr.readLine(); err != nil {
			return hr.whole()
		}
		line := hr.block[start:]
		switch {
		case string(line) == "\r\n" || string(line) == "\n": // the end of the block
			hr.kept = append(hr.kept, "\r\n"...)
			hr.r.Reset(hr.kept)
			hr.kr.Reset(&hr.r)
			m, err := mail.ReadMessage(hr.kr)
			if err != nil {
				return nil, err
			}
			return m.Header, nil
		case line[0] == ' ' || line[0] == '\t': // continues the field before
			if first {
				return hr.whole()
			}
		default:
			colon := bytes.IndexByte(line, ':')
			if colon < 0 {
				return hr.whole()
			}
			keep = wanted(line[:colon])
		}
		if keep {
			hr.kept = append(hr.kept, line...)
		}
	}
}

// readLine appends the next line, with its end, to the block.
func (hr *headerReader) readLine() error {
	for {
		part, err := hr.br.ReadSlice('\n')
		hr.block = append(hr.block, part...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// whole has net/mail read the block from its start: what was read of it,
// then the rest.
func (hr *headerReader) whole() (mail.Header, error) {
	m, err := mail.ReadMessage(io.MultiReader(bytes.NewReader(hr.block), hr.br))
	if err != nil {
		return nil, err
	}
	return m.Header, nil
}

// wanted says whether a field's name (as written, before its colon) is
// one of headerFields as net/mail reads names: in any case of ASCII
// letters, and nothing else (a name with a space or another byte is kept
// as written, and so is none of them).
func wanted(name []byte) bool {
	for _, f := range headerFields {
		if len(f) != len(name) {
			continue
		}
		same := true
		for i := 0; i < len(f) && same; i++ {
			a, b := name[i], f[i]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			same = a == b
		}
		if same {
			return true
		}
	}
	return false
}
