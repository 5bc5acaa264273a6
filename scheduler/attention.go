package scheduler

import (
	"slices"

	"github.com/rekindle/rekindle/rules"
)

// attention is who needs attention first (docs/commands.md, "status"): those
// due, then those waiting for a reply, cooling down, let be,
// all good, snoozed, paused. status and the dashboard both ask it.
var attention = map[rules.State]int{
	rules.Due: 0, rules.Waiting: 1, rules.CoolingDown: 2, rules.LetBe: 3,
	rules.OK: 4, rules.Snoozed: 5, rules.Paused: 6,
}

// Attention ranks a status by its state: the lower, the sooner it needs
// the user. Someone let be needs nothing until they reply, their notice
// included, so they come after those still in an exchange.
func Attention(s *Status) int {
	return attention[s.State]
}

// SortByAttention orders statuses who needs attention first, then by the
// next reminder (the soonest first, none last), then in config order.
func SortByAttention(st []Status) {
	slices.SortStableFunc(st, func(a, b Status) int {
		if d := Attention(&a) - Attention(&b); d != 0 {
			return d
		}
		switch {
		case a.Next.Equal(b.Next):
			return 0
		case a.Next.IsZero():
			return 1
		case b.Next.IsZero():
			return -1
		}
		return a.Next.Compare(b.Next)
	})
}
