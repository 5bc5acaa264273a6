package rules

import (
	"testing"
	"time"
)

// BenchmarkEvaluate measures one evaluation over a realistic mix of people:
// the target is at least a million per second on one core.
func BenchmarkEvaluate(b *testing.B) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	contacts := make([]Contact, 1024)
	events := make([][]Event, len(contacts))
	for i := range contacts {
		c := &contacts[i]
		c.LastInteraction = now.AddDate(0, 0, -(i % 90))
		switch i % 5 {
		case 1:
			c.Fallout = now.AddDate(0, 0, -(i % 10))
		case 2:
			c.ReachedOut = []time.Time{now.AddDate(0, 0, -(i % 7))}
		case 3:
			events[i] = []Event{
				{Kind: Talked, At: now.AddDate(0, 0, -(i % 40))},
				{Kind: ReachedOut, At: now.AddDate(0, 0, -(i % 3))},
			}
		}
	}
	s := DefaultSettings()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		j := i & (len(contacts) - 1)
		_ = Evaluate(s, &contacts[j], events[j], now)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
}
