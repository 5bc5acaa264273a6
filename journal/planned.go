package journal

import (
	"context"
	"fmt"
	"time"
)

// Planned is the kind of the events that stand for a meeting still to come
// in a calendar: At is its start, Until its end. They are never logged nor
// shown in a history; Events and EventsOf give them after each contact's
// events, so that the rules can let the meeting hold a check-in.
const Planned Kind = "planned"

// PlannedMeeting is one meeting still to come with one person.
type PlannedMeeting struct {
	Contact    string
	Start, End time.Time
}

// SetPlanned replaces what the last read of a calendar (source, folder)
// found still to come: a meeting cancelled, declined or moved since is
// gone with the old list. A meeting new to the list counts as written at
// now for LoggedSince, so that a reminder it holds is found stale.
func (j *Journal) SetPlanned(ctx context.Context, source, folder string, meetings []PlannedMeeting, now time.Time) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record the meetings to come: %w", err)
	}
	defer tx.Rollback()
	type key struct {
		contact    string
		start, end int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT contact, start, end, written FROM planned WHERE source = ? AND folder = ?`, source, folder)
	if err != nil {
		return fmt.Errorf("record the meetings to come: %w", err)
	}
	written := map[key]int64{}
	for rows.Next() {
		var k key
		var w int64
		if err := rows.Scan(&k.contact, &k.start, &k.end, &w); err != nil {
			rows.Close()
			return fmt.Errorf("record the meetings to come: %w", err)
		}
		written[k] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("record the meetings to come: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM planned WHERE source = ? AND folder = ?`, source, folder); err != nil {
		return fmt.Errorf("record the meetings to come: %w", err)
	}
	for _, m := range meetings {
		w, ok := written[key{m.Contact, ms(m.Start), ms(m.End)}]
		if !ok {
			w = ms(now)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO planned (source, folder, contact, start, end, written) VALUES (?, ?, ?, ?, ?, ?)`,
			source, folder, m.Contact, ms(m.Start), ms(m.End), w); err != nil {
			return fmt.Errorf("record the meetings to come: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record the meetings to come: %w", err)
	}
	return nil
}

// planned returns the meetings to come as events of kind Planned, of one
// contact or (contact "") of everyone, each contact's in time order.
func (j *Journal) planned(ctx context.Context, contact string) ([]Event, error) {
	q := `SELECT contact, start, end, source FROM planned`
	var args []any
	if contact != "" {
		q += ` WHERE contact = ?`
		args = append(args, contact)
	}
	rows, err := j.db.QueryContext(ctx, q+` ORDER BY contact, start, end`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the meetings to come: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var start, end int64
		if err := rows.Scan(&e.Contact, &start, &end, &e.Source); err != nil {
			return nil, fmt.Errorf("read the meetings to come: %w", err)
		}
		e.Kind, e.At, e.Until = Planned, time.UnixMilli(start), time.UnixMilli(end)
		out = append(out, e)
	}
	return out, rows.Err()
}
