package journal

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Seen is what the state file keeps of a person from the run that first
// saw them.
type Seen struct {
	First time.Time // when a run first saw them
	// Turn is, for someone with no interaction on record then, the day
	// (YYYY-MM-DD in the configured zone) their first check-in comes in the
	// queue of new people; "" for someone who had a date.
	Turn string
}

// SeenPeople returns what the state file keeps of every person a run has
// seen, by contact id.
func (j *Journal) SeenPeople(ctx context.Context) (map[string]Seen, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT contact, first_seen, turn FROM people_seen`)
	if err != nil {
		return nil, fmt.Errorf("read the people seen: %w", err)
	}
	defer rows.Close()
	out := map[string]Seen{}
	for rows.Next() {
		var id string
		var first int64
		var turn sql.NullString
		if err := rows.Scan(&id, &first, &turn); err != nil {
			return nil, fmt.Errorf("read the people seen: %w", err)
		}
		out[id] = Seen{First: time.UnixMilli(first), Turn: turn.String}
	}
	return out, rows.Err()
}

// insertSeen records people seen for the first time; one already recorded
// keeps what it has (another process's run saw them first). The rows go
// in key order, seenChunk to a statement: on a first run of 100,000
// people one statement a row in the map's order took 0.64 s of CPU, most
// of it database/sql's round trips and pages of the key's index read and
// written out of order.
func insertSeen(ctx context.Context, tx *sql.Tx, seen map[string]Seen) error {
	if len(seen) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(seen))
	_, _, err := insertChunked(ctx, tx, ids, seenChunk, insertSeenSQL, func(args []any, id string) []any {
		s := seen[id]
		var turn any
		if s.Turn != "" {
			turn = s.Turn
		}
		return append(args, id, ms(s.First), turn)
	})
	if err != nil {
		return fmt.Errorf("record the people seen: %w", err)
	}
	return nil
}

// seenChunk is how many people one INSERT records (3 parameters each,
// well under SQLite's limit).
const seenChunk = 200

func insertSeenSQL(n int) string {
	return `INSERT OR IGNORE INTO people_seen (contact, first_seen, turn) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?),", n), ",")
}
