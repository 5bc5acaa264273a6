package mailbox

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/mail"
	"net/textproto"
)

// headerReader reads a message's header block as net/mail's ReadMessage
// does, but keeps only the fields rekindle reads (headerFields), and
// makes their values itself, as net/mail makes them: the Received lines,
// the signatures and the rest, most of a header block, are passed over
// without a string or a map entry made for them, and a kept field costs
// its value's string, not a line's string, a key's and a reader's buffer.
// A block net/mail would refuse (a line that is no field, a first line
// that continues nothing, no blank line at its end) goes to net/mail
// whole, so that it says why as it always has. One serves a folder: its
// buffers are reused.
type headerReader struct {
	fields []string // the fields kept: headerFields, or another list
	keys   []string // the same as net/mail writes their names (Message-Id)
	br     *bufio.Reader
	block  []byte // the header block as read
	// field is the kept field being read: its lines trimmed and joined by
	// one space, as net/textproto's ReadContinuedLine joins them; key is
	// its name as net/mail writes it, colon where its value starts.
	field []byte
	key   string
	colon int
	// vals holds the kept fields' values of the block, one after the
	// other, made into one string at its end, of which each value is a
	// part (spans): one string a message, not one a field.
	vals  []byte
	spans []valueSpan
	// h is the map read returns, made again for each block: its entries
	// are kept, emptied, for the next block's values.
	h mail.Header
	// addrs are the address lines read (parseHeader), with what they say,
	// so that a line that comes again (the user's own address, a friend's)
	// is parsed once; at most maxAddrs of them.
	addrs map[string]addrLine
}

// valueSpan is one kept field's value in vals: its name as net/mail writes it,
// and where the value starts and ends.
type valueSpan struct {
	key        string
	start, end int
}

func newHeaderReader() *headerReader { return newFieldReader(headerFields, fieldKeys) }

// newFieldReader is a headerReader that keeps fields, whose names
// net/mail writes as keys (canonical).
func newFieldReader(fields, keys []string) *headerReader {
	return &headerReader{fields: fields, keys: keys, br: bufio.NewReader(nil), addrs: map[string]addrLine{}}
}

// read reads the header block at the start of r.
func (hr *headerReader) read(r io.Reader) (mail.Header, error) {
	hr.br.Reset(r)
	hr.block, hr.key = hr.block[:0], ""
	hr.vals, hr.spans = hr.vals[:0], hr.spans[:0]
	for first := true; ; first = false {
		start := len(hr.block)
		if err := hr.readLine(); err != nil {
			return hr.whole()
		}
		line := hr.block[start:]
		switch {
		case string(line) == "\r\n" || string(line) == "\n": // the end of the block
			hr.done()
			return hr.header(), nil
		case line[0] == ' ' || line[0] == '\t': // continues the field before
			if first {
				return hr.whole()
			}
			if hr.key != "" {
				hr.field = append(hr.field, ' ')
				hr.field = append(hr.field, trim(line)...)
			}
		default:
			colon := bytes.IndexByte(line, ':')
			if colon < 0 {
				return hr.whole()
			}
			hr.done()
			if hr.key = wanted(line[:colon], hr.fields, hr.keys); hr.key != "" {
				hr.field, hr.colon = append(hr.field[:0], trim(line)...), colon
			}
		}
	}
}

// done keeps the kept field read, as net/mail does: its value after the
// colon, without the spaces and tabs it starts with.
func (hr *headerReader) done() {
	if hr.key == "" {
		return
	}
	start := len(hr.vals)
	hr.vals = append(hr.vals, bytes.TrimLeft(hr.field[hr.colon+1:], " \t")...)
	hr.spans = append(hr.spans, valueSpan{hr.key, start, len(hr.vals)})
	hr.key = ""
}

// header is the kept fields of the block read, as net/mail's Header holds
// them: each name with its values in their order. It is good until the
// next read.
func (hr *headerReader) header() mail.Header {
	if hr.h == nil {
		hr.h = mail.Header{}
	}
	for k, v := range hr.h {
		hr.h[k] = v[:0]
	}
	all := string(hr.vals)
	for _, s := range hr.spans {
		hr.h[s.key] = append(hr.h[s.key], all[s.start:s.end])
	}
	return hr.h
}

// trim is a line without its end ("\n", or "\r\n") and without the spaces
// and tabs around it, as net/textproto trims each line of a field.
func trim(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return bytes.Trim(line, " \t")
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

// fieldKeys are headerFields as net/mail writes their names (Message-Id).
var fieldKeys = canonical(headerFields)

// canonical is fields as net/mail writes their names.
func canonical(fields []string) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = textproto.CanonicalMIMEHeaderKey(f)
	}
	return keys
}

// wanted says which of fields a field's name (as written, before its
// colon) is, as net/mail writes it (keys), or "" for none. Names compare as
// net/mail reads them: in any case of ASCII letters, and nothing else (a
// name with a space or another byte is kept as written, and so is none of
// them).
func wanted(name []byte, fields, keys []string) string {
	for k, f := range fields {
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
			return keys[k]
		}
	}
	return ""
}
