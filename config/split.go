package config

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
)

// parallelFrom is the size from which a file is decoded in parallel.
const parallelFrom = 1 << 20

// pieceSize is about how much of a large file one decoder takes at a time
// (a variable for the tests). At 1 MiB, against 2, the reader starts
// sooner and fewer decoded tables wait for it: `status --json` on 100,000
// people took 1.22x the CPU of a plain decode (median of 6 rounds, in
// turn), against 1.35x.
var pieceSize = 1 << 20

// pieces decodes a large file on several cores and hands the pieces out in
// file order, each as soon as it is decoded. A contact list is mostly
// [[contact]] tables, which are independent of each other, so the file
// can be cut at their headers and the pieces decoded at once: the part
// before the first contact (the head), then runs of whole contacts.
//
// The reader takes a piece's contacts while the decoders go on with the
// next pieces, and the piece's decoded tables are garbage once it has:
// the heap holds a few pieces' tables at a time, never the whole file's
// (at 100,000 people, 216 MB at its peak when it did). The decoders keep
// at most lookahead pieces decoded or under way that the reader has not
// taken.
type pieces struct {
	text     string
	bounds   []int            // piece i is text[bounds[i]:bounds[i+1]]
	contacts int              // how many [[contact]] tables the file has
	parts    []map[string]any // each piece decoded, until it is taken
	errs     []error
	done     []chan struct{} // closed when piece i is decoded
	slots    chan struct{}   // a value for each piece decoded or under way, not yet taken
	stop     chan struct{}   // closed when the reader wants no more
	next     atomic.Int64    // the next piece to decode
	wg       sync.WaitGroup
}

// lookahead is how many pieces the decoders may have decoded or under way
// beyond those the reader has taken, for each decoder: one, so that a
// decoder that is done with a piece starts the next only once the reader
// has taken one (two measured no better, and held more).
const lookahead = 1

// splitPieces starts decoding text in pieces. It only takes the simple,
// common shape: cuts are the offsets of the [[contact]] header lines that
// scanTOML found (none when any other header follows the first of them).
// It returns nil for anything else, and for a small file: the caller then
// decodes the whole file as one. Anything that fails later (a piece that
// does not decode, or does not hold contacts alone) makes the caller do
// the same, which also gives the right error positions. The caller must
// call close.
func splitPieces(text string, cuts []int) *pieces {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(text) < parallelFrom || len(cuts) < 2*workers {
		return nil
	}
	// pieces[0] is the head; then runs of contacts of about pieceSize,
	// cut at headers, at least one per worker. The workers take them in
	// turn. Small pieces keep each decoder's own state small (the library
	// keeps every key it has read, in order, with its position): with one
	// piece per core, a decoder over half a million contacts spent much of
	// its time growing those lists (docs/speed.md).
	n := max(workers, (len(text)-cuts[0])/pieceSize)
	bounds := []int{0, cuts[0]}
	for w := 1; w < n; w++ {
		target := cuts[0] + (len(text)-cuts[0])*w/n
		i := sort.SearchInts(cuts, target)
		if i < len(cuts) && cuts[i] > bounds[len(bounds)-1] {
			bounds = append(bounds, cuts[i])
		}
	}
	bounds = append(bounds, len(text))

	s := &pieces{
		text:     text,
		bounds:   bounds,
		contacts: len(cuts),
		parts:    make([]map[string]any, len(bounds)-1),
		errs:     make([]error, len(bounds)-1),
		done:     make([]chan struct{}, len(bounds)-1),
		slots:    make(chan struct{}, lookahead*workers),
		stop:     make(chan struct{}),
	}
	for i := range s.done {
		s.done[i] = make(chan struct{})
	}
	for range workers {
		s.wg.Go(s.decode)
	}
	return s
}

// decode is one decoder: it takes the next piece while the reader is not
// too far behind.
func (s *pieces) decode() {
	for {
		select {
		case s.slots <- struct{}{}:
		case <-s.stop:
			return
		}
		select {
		case <-s.stop:
			return
		default:
		}
		i := int(s.next.Add(1) - 1)
		if i >= len(s.parts) {
			<-s.slots // its own: there is no piece to hold it
			return
		}
		// The whole file passed scanTOML, which found the cuts in the
		// same reading: each piece is whole tables, read as the decoder
		// reads them, and needs no check of its own.
		_, s.errs[i] = toml.Decode(s.text[s.bounds[i]:s.bounds[i+1]], &s.parts[i])
		close(s.done[i])
	}
}

// take waits for piece i and returns it, dropping the pieces' hold on it;
// ok is false when it did not decode.
func (s *pieces) take(i int) (m map[string]any, ok bool) {
	<-s.done[i]
	<-s.slots
	m, s.parts[i] = s.parts[i], nil
	return m, s.errs[i] == nil
}

// head returns the decoded part of the file before its first contact; ok
// is false when it did not decode or it holds contacts itself.
func (s *pieces) head() (doc map[string]any, ok bool) {
	doc, ok = s.take(0)
	if !ok {
		return nil, false
	}
	if _, clash := doc["contact"]; clash {
		return nil, false
	}
	return doc, true
}

// each calls read with the contacts of each piece after the head, in file
// order, as soon as the piece is decoded: read sees every contact of the
// file once, s.contacts in all. It returns false at the first piece that
// did not decode or holds anything else, or when the pieces hold another
// count of contacts; read may have seen some of them then.
func (s *pieces) each(read func(list []map[string]any)) bool {
	seen := 0
	for i := 1; i < len(s.parts); i++ {
		m, ok := s.take(i)
		if !ok {
			return false
		}
		list, ok := m["contact"].([]map[string]any)
		if !ok || len(m) != 1 || seen+len(list) > s.contacts {
			return false
		}
		seen += len(list)
		read(list)
	}
	return seen == s.contacts
}

// close stops the decoders and waits for them.
func (s *pieces) close() {
	close(s.stop)
	s.wg.Wait()
}

// decodeSplit decodes a large file on several cores into one document, as
// one toml.Decode would (an included file is read so); ok is false when
// splitPieces does not take it or a piece fails.
func decodeSplit(data string, cuts []int) (doc map[string]any, ok bool) {
	s := splitPieces(data, cuts)
	if s == nil {
		return nil, false
	}
	defer s.close()
	if doc, ok = s.head(); !ok {
		return nil, false
	}
	contacts := make([]map[string]any, 0, s.contacts)
	if !s.each(func(list []map[string]any) { contacts = append(contacts, list...) }) {
		return nil, false
	}
	doc["contact"] = contacts
	return doc, true
}
