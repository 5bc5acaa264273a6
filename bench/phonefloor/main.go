// Command phonefloor is what bench/phonebackup.sh measures a phonebackup
// sync against: the cheapest programs that read the same SMS Backup &
// Restore file and count its <call> elements.
//
//	phonefloor -scan FILE      # a plain byte scan: each tag, up to '>'
//	phonefloor -rawtoken FILE  # encoding/xml's Decoder.RawToken loop
//	phonefloor -gosax FILE     # orisano/gosax's events, each call's attributes split
package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/orisano/gosax"
)

func main() {
	scan := flag.Bool("scan", false, "a plain byte scan")
	raw := flag.Bool("rawtoken", false, "encoding/xml's RawToken loop")
	gs := flag.Bool("gosax", false, "gosax's events")
	flag.Parse()
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	var n int
	switch {
	case *scan:
		n, err = byScan(f)
	case *raw:
		n, err = byRawToken(f)
	case *gs:
		n, err = byGosax(f)
	default:
		err = fmt.Errorf("usage: phonefloor -scan|-rawtoken|-gosax FILE")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "phonefloor:", err)
		os.Exit(1)
	}
	fmt.Println(n, "calls")
}

func byScan(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	n := 0
	for {
		tag, err := br.ReadSlice('>')
		if i := bytes.IndexByte(tag, '<'); i >= 0 && bytes.HasPrefix(tag[i:], []byte("<call ")) {
			n++
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return n, err
		}
	}
}

func byRawToken(r io.Reader) (int, error) {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	n := 0
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if s, ok := t.(xml.StartElement); ok && s.Name.Local == "call" {
			n++
		}
	}
}

func byGosax(r io.Reader) (int, error) {
	x := gosax.NewReaderSize(r, 256<<10)
	n := 0
	for {
		e, err := x.Event()
		if err != nil {
			return n, err
		}
		switch e.Type() {
		case gosax.EventEOF:
			return n, nil
		case gosax.EventStart:
			if name, attrs := gosax.Name(e.Bytes); string(name) == "call" {
				for len(attrs) > 0 {
					a, rest, err := gosax.NextAttribute(attrs)
					if err != nil || a.Key == nil {
						break
					}
					attrs = rest
				}
				n++
			}
		}
	}
}
