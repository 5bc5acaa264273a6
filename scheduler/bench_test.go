package scheduler

import (
	"bytes"
	"strings"
	"testing"
	"time"

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

// BenchmarkPlan365 is `plan --days 365` on 10,000 contacts: under 2 s.
func BenchmarkPlan365(b *testing.B) {
	for _, tc := range []struct {
		name string
		edit func(string) string
	}{
		{"max_per_run=5", func(s string) string { return s }},
		{"no_limit", func(s string) string { return strings.Replace(s, "max_per_run = 5", "max_per_run = 0", 1) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := load(b, string(benchConfig(b, 10000, tc.edit)))
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
