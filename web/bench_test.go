package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/phone"
	"github.com/rekindle/rekindle/scheduler"
)

// BenchmarkContacts is GET /api/contacts on 10,000 generated people:
// kept (nothing changed since the last request), made (after a change:
// read, evaluate, write, hash, bound in time), and as it was made before
// it was kept (Snapshot and the indenting Encoder), for comparison.
func BenchmarkContacts(b *testing.B) {
	var buf bytes.Buffer
	if err := contacts.Write(&buf, 10000, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	s, cfg, j, now := benchServer(b, buf.Bytes())
	req := httptest.NewRequest("GET", "/api/contacts", nil)
	// The machine is shared: the CPU time of the process an operation
	// (cpu-ms/op) is the steadier figure.
	cpu := func(b *testing.B, op func()) {
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		n := 0
		for b.Loop() {
			op()
			n++
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		used := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(used)/1e6/float64(n), "cpu-ms/op")
	}
	b.Run("kept", func(b *testing.B) {
		cpu(b, func() { s.contacts(discard{http.Header{}}, req) })
	})
	b.Run("made", func(b *testing.B) {
		cpu(b, func() {
			s.list = kept{}
			s.contacts(discard{http.Header{}}, req)
		})
	})
	b.Run("before", func(b *testing.B) {
		cpu(b, func() {
			st, _ := scheduler.Snapshot(req.Context(), cfg, j, now)
			writeJSON(discard{http.Header{}}, 200, st)
		})
	})
}

// discard is a ResponseWriter that drops the body, as a socket would
// take it: no buffer grows.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// BenchmarkCalls is POST /api/calls with 10,000 people who have a phone
// number: a call learned (read, match, write), and the index of numbers
// the first request after a reload makes (phone.NewBook), which the server
// keeps until the next.
func BenchmarkCalls(b *testing.B) {
	var toml strings.Builder
	toml.WriteString("timezone = \"Europe/London\"\napi_token = \"" + token + "\"\nlisten = \"127.0.0.1:0\"\n")
	for i := range 10000 {
		fmt.Fprintf(&toml, "[[contact]]\nname = \"Person %d\"\nlast_interaction = 2026-10-01\nphone = [\"07400 %06d\"]\n", i, i)
	}
	s, cfg, _, now := benchServer(b, []byte(toml.String()))
	_, cred := links.CallsHook("", []byte(token), now)
	b.Run("learned", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			body := fmt.Sprintf(`{"number": "+44 7400 %06d", "kind": "call", "direction": "incoming", "duration": 60, "at": %d}`,
				n%10000, now.Add(-time.Duration(n)*time.Second).UnixMilli())
			req := httptest.NewRequest("POST", "/api/calls", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+cred)
			w := httptest.NewRecorder()
			s.calls(w, req)
			if w.Code != http.StatusCreated {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	b.Run("book", func(b *testing.B) {
		for b.Loop() {
			phone.NewBook(cfg)
		}
	})
}

// benchServer is a server of the config text on a new state file, at noon
// on 30 November 2026 in the config's zone; both are closed when the
// benchmark ends.
func benchServer(b *testing.B, text []byte) (s *Server, cfg *config.Config, j *journal.Journal, now time.Time) {
	b.Helper()
	cfg, err := config.Parse("bench.toml", text)
	if err != nil {
		b.Fatal(err)
	}
	j, err = journal.Open(context.Background(), filepath.Join(b.TempDir(), "rekindle.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	now = time.Date(2026, 11, 30, 12, 0, 0, 0, cfg.Location)
	s, err = New("127.0.0.1:0", Options{Config: func() *config.Config { return cfg }, Journal: j,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.ln.Close() })
	return s, cfg, j, now
}
