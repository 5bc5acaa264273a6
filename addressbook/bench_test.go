package addressbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
)

// cards is an address book of n cards as a phone's export writes
// them: a name, an address, a number, a birthday for one in three.
func cards(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-%05d\r\nFN:Person %05d\r\nN:%05d;Person;;;\r\nEMAIL;TYPE=home:person%05d@example.org\r\nTEL;TYPE=cell:+49 170 %07d\r\n", i, i, i, i, i)
		if i%3 == 0 {
			fmt.Fprintf(&b, "BDAY:19%02d-%02d-%02d\r\n", 50+i%50, 1+i%12, 1+i%28)
		}
		b.WriteString("END:VCARD\r\n")
	}
	return b.String()
}

// BenchmarkRadicale10k reads an address book of 10,000 cards from
// Radicale: the first read (every card, into an empty state file) and a
// repeat read with nothing changed (sync-collection from the token). The
// README's figures: under 3 s and under 0.3 s.
func BenchmarkRadicale10k(b *testing.B) { radicaleBench(b, 10000) }

// BenchmarkRadicale1k is the same with 1,000 cards, which Radicale
// answers in seconds.
func BenchmarkRadicale1k(b *testing.B) { radicaleBench(b, 1000) }

func radicaleBench(b *testing.B, n int) {
	ctx := context.Background()
	srv := radicaletest.Start(b, radicaletest.Options{})
	srv.MakeAddressBook(b, "contacts", "Contacts")
	// The cards written into Radicale's storage as it keeps them, one
	// file each (10,000 PUTs take Radicale minutes), and read once so
	// that its caches are built before the clock starts.
	dir := filepath.Join(srv.Dir, "collections", "collection-root", srv.User, "contacts")
	for i, c := range strings.SplitAfter(cards(n), "END:VCARD\r\n") {
		if c != "" {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("card-%05d.vcf", i)), []byte(c), 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
	src := source(b, srv.URL, srv.User, srv.Password, "")
	if _, err := (&Sync{Source: src, Store: openJournal(b), Now: time.Now()}).Run(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("first", func(b *testing.B) {
		defer cpuPerRead(b)()
		for b.Loop() {
			b.StopTimer()
			j := openJournal(b)
			b.StartTimer()
			res, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx)
			if err != nil || len(res.Changes) != n {
				b.Fatalf("%d changes, %v", len(res.Changes), err)
			}
		}
	})
	j := openJournal(b)
	if _, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("repeat", func(b *testing.B) {
		defer cpuPerRead(b)()
		for b.Loop() {
			res, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx)
			if err != nil || len(res.Changes) != 0 || res.Read != 0 {
				b.Fatalf("%d changes, %d read, %v", len(res.Changes), res.Read, err)
			}
		}
	})
}

// BenchmarkFaithful10k is BenchmarkRadicale10k against the faithful
// server with sync tokens: Radicale itself takes minutes to answer the
// first read of 10,000 cards on this machine, so these are the figures of
// rekindle's side (with Digest, one more exchange per request).
func BenchmarkFaithful10k(b *testing.B) {
	ctx := context.Background()
	f := startFakeDAVB(b)
	f.syncTokens = true
	for i, c := range strings.SplitAfter(cards(10000), "END:VCARD\r\n") {
		if c != "" {
			f.put(fmt.Sprintf("card-%05d.vcf", i), c)
		}
	}
	src := source(b, f.URL, f.user, f.pass, "")
	b.Run("first", func(b *testing.B) {
		defer cpuPerRead(b)()
		for b.Loop() {
			b.StopTimer()
			j := openJournal(b)
			b.StartTimer()
			res, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx)
			if err != nil || len(res.Changes) != 10000 {
				b.Fatalf("%d changes, %v", len(res.Changes), err)
			}
		}
	})
	j := openJournal(b)
	if _, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("repeat", func(b *testing.B) {
		defer cpuPerRead(b)()
		for b.Loop() {
			res, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx)
			if err != nil || len(res.Changes) != 0 || res.Read != 0 {
				b.Fatalf("%d changes, %d read, %v", len(res.Changes), res.Read, err)
			}
		}
	})
}

// cpuPerRead reports the process's CPU time (user and system) per read:
// the steady figure on a loaded machine, where wall time is mostly
// waiting for a core. It counts the server of the same process too.
func cpuPerRead(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric((cpu()-start).Seconds()/float64(b.N), "cpu-s/op") }
}
