package journal

import (
	"context"
	"fmt"
	"time"
)

// LoggedByHand says whether contact has an event of kind that was logged
// by hand (not learned from a source) at or after from and before to. A
// calendar source asks it for the day of a meeting: a talk the user logged
// that day is the meeting, and the user's log wins (mail's own rule,
// ManualWindow, is AddLearned's).
func (j *Journal) LoggedByHand(ctx context.Context, contact string, kind Kind, from, to time.Time) (bool, error) {
	var n int
	err := j.db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE contact = ? AND kind = ? AND dedup IS NULL AND at >= ? AND at < ?`,
		contact, string(kind), ms(from), ms(to)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read events: %w", err)
	}
	return n > 0, nil
}
