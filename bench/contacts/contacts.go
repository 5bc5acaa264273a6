// Package contacts writes synthetic rekindle configs of any size for the
// benchmarks: a realistic mix of cadences, groups, fallouts, unanswered
// outreach, paused people and notes, deterministic for a given size.
package contacts

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

var (
	first     = []string{"Alice", "Bob", "Chris", "Dana", "Emil", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mo", "Nia", "Omar", "Pia"}
	last      = []string{"Moreau", "Okafor", "Berg", "Whitfield", "Silva", "Tanaka", "Novak", "Haddad", "Larsen", "Costa"}
	interests = []string{"chess", "trail running", "sourdough", "climbing", "jazz", "gardening", "cycling", "board games", "poetry", "football"}
	groups    = []string{"close", "family", "friends", "distant"}
)

// Write writes a config with n contacts, dated around ref.
func Write(w io.Writer, n int, ref time.Time) error {
	b := bufio.NewWriter(w)
	r := rand.New(rand.NewPCG(1, uint64(n)))
	day := func(back int) string { return ref.AddDate(0, 0, -back).Format("2006-01-02") }
	fmt.Fprintf(b, "timezone = \"Europe/Berlin\"\nschedule = \"0 9 * * *\"\nquiet_hours = \"22:00-08:00\"\nmax_per_run = 5\n\n")
	fmt.Fprintf(b, "[defaults]\nevery = \"30d\"\n\n[groups.close]\nevery = \"14d\"\n\n[groups.family]\nevery = \"7d\"\ncooldown = \"3d\"\n\n[groups.friends]\nevery = \"45d\"\n\n[groups.distant]\nevery = \"90d\"\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "[[contact]]\nname = \"%s %s %d\"\n", first[i%len(first)], last[(i/len(first))%len(last)], i)
		if i%3 != 0 {
			fmt.Fprintf(b, "group = %q\n", groups[r.IntN(len(groups))])
		}
		fmt.Fprintf(b, "last_interaction = %s\n", day(r.IntN(120)))
		switch r.IntN(10) {
		case 0:
			fmt.Fprintf(b, "fallout = %s\ncooldown = \"%dd\"\n", day(r.IntN(20)), 7+r.IntN(21))
		case 1:
			fmt.Fprintf(b, "reached_out = [%s]\n", day(r.IntN(5)))
		case 2:
			fmt.Fprintf(b, "reached_out = [%s, %s]\n", day(6+r.IntN(5)), day(r.IntN(5)))
		case 3:
			fmt.Fprintf(b, "paused = true\n")
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(b, "interests = [%q, %q]\n", interests[r.IntN(len(interests))], interests[r.IntN(len(interests))])
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(b, "notes = \"Met at %s; ask about the %s.\"\n", day(300+r.IntN(900)), interests[r.IntN(len(interests))])
		}
		b.WriteByte('\n')
	}
	return b.Flush()
}
