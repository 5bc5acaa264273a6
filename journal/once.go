package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Once is a credential that may be used once: a key that names it (a phone
// button of one notification, a sign-in link) and its expiry, after which
// it verifies no more and its record may go.
type Once struct {
	Key     string
	Expires time.Time
}

// ErrUsed is returned when a credential good once was used before; nothing
// is written.
var ErrUsed = errors.New("journal: this was done already with the same credential")

// keepUsed is how long a used credential's record outlives its expiry: a
// clock set back a little must not make an expired credential good again
// with its record gone.
const keepUsed = 24 * time.Hour

// AddOnce is Add for an event that a credential good once asks for: the
// credential is marked used and the event written in one transaction, so
// that two taps of one button, at once or a day apart, are one event. A
// second use returns ErrUsed and writes nothing.
func (j *Journal) AddOnce(ctx context.Context, e Event, once Once) (int64, error) {
	if e.Logged.IsZero() {
		e.Logged = time.Now()
	}
	if err := e.Check(e.Logged); err != nil {
		return 0, fmt.Errorf("add event: %w", err)
	}
	var id int64
	err := j.once(ctx, once, e.Logged, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO events (contact, kind, at, until, note, source, logged) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.Contact, string(e.Kind), ms(e.At), nullMS(e.Until), e.Note, e.Source, ms(e.Logged))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil && !errors.Is(err, ErrUsed) {
		err = fmt.Errorf("add event: %w", err)
	}
	return id, err
}

// UseOnce marks a credential good once used at now (a sign-in link);
// ErrUsed when it was used before.
func (j *Journal) UseOnce(ctx context.Context, once Once, now time.Time) error {
	err := j.once(ctx, once, now, func(*sql.Tx) error { return nil })
	if err != nil && !errors.Is(err, ErrUsed) {
		err = fmt.Errorf("use a credential: %w", err)
	}
	return err
}

// once runs do in the transaction that marks once used, after dropping
// the records of credentials long expired.
func (j *Journal) once(ctx context.Context, once Once, now time.Time, do func(*sql.Tx) error) error {
	if once.Key == "" {
		return errors.New("a credential good once needs a key")
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM used_credentials WHERE expires < ?`, ms(now.Add(-keepUsed))); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO used_credentials (key, expires) VALUES (?, ?)`, once.Key, ms(once.Expires))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUsed
	}
	if err := do(tx); err != nil {
		return err
	}
	return tx.Commit()
}
