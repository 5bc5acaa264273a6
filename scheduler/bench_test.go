package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/journal"

	"github.com/rekindle/rekindle/bench/contacts"
)

func benchConfig(b *testing.B, n int, edit func(string) string) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := contacts.Write(&buf, n, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	return []byte(edit(buf.String()))
}

// limits are the generated config as it is (max_per_run = 5) and without
// a limit, the worst case.
var limits = []struct {
	name string
	edit func(string) string
}{
	{"max_per_run=5", func(s string) string { return s }},
	{"no_limit", func(s string) string { return strings.Replace(s, "max_per_run = 5", "max_per_run = 0", 1) }},
}

// BenchmarkPlan365 is `plan --days 365` on 10,000 contacts (under 2 s),
// and with max_per_run = 5 on 100,000: it should grow with the work, not
// faster.
func BenchmarkPlan365(b *testing.B) {
	cases := []struct {
		name string
		n    int
		edit func(string) string
	}{
		{"10k/" + limits[0].name, 10000, limits[0].edit},
		{"10k/" + limits[1].name, 10000, limits[1].edit},
		{"100k/" + limits[0].name, 100000, limits[0].edit},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cfg := load(b, string(benchConfig(b, tc.n, tc.edit)))
			people := People(cfg, nil)
			from := time.Date(2026, 11, 30, 0, 0, 0, 0, cfg.Location)
			var n int
			for b.Loop() {
				n = 0
				for range Plan(cfg, people, nil, from, from.AddDate(0, 0, 365)) {
					n++
				}
			}
			b.ReportMetric(float64(n), "reminders")
		})
	}
}

// BenchmarkRunOnce10k is one daemon run over 10,000 contacts, evaluate and
// enqueue (sends excluded), on a fresh state file each time: under 200 ms.
func BenchmarkRunOnce10k(b *testing.B) {
	for _, tc := range limits {
		b.Run(tc.name, func(b *testing.B) {
			cfg := load(b, string(benchConfig(b, 10000, tc.edit)))
			tmpl, err := compose.NewTemplates(nil)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Date(2026, 11, 30, 9, 0, 0, 0, cfg.Location)
			dir := b.TempDir()
			var res Result
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				j, err := journal.Open(context.Background(), filepath.Join(dir, fmt.Sprintf("r%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err = RunOnce(context.Background(), cfg, tmpl, j, now, now)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				j.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(res.Due), "due")
			b.ReportMetric(float64(res.Enqueued), "rows")
		})
	}
}
