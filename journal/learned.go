package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rekindle/rekindle/internal/hint"
)

// Learned events come from a mail source rather than from the user: their
// Source is the mail source's type and name, "maildir:home" (see
// LearnedSource), and their Dedup key is a hash of
// the message's Message-ID with the person and the kind (the state file
// keeps that hash, never the Message-ID, a subject or an address).

// ManualWindow is how close in time a logged event of the same person and
// kind must be for a learned one to be the same happening: the user's log
// wins, and the learned event is not added.
const ManualWindow = 12 * time.Hour

// LearnedSource is the Source of an event learned from the mail source of
// type typ named name: "maildir:home". The journal knows no source type:
// any type's events are learned ones.
func LearnedSource(typ, name string) string { return typ + ":" + name }

// IsLearned tells whether an event's source is a mail source: TYPE:NAME,
// where those who log by hand are one word ("cli", "api", "phone").
func IsLearned(source string) bool {
	typ, name, ok := strings.Cut(source, ":")
	return ok && typ != "" && name != ""
}

// AddLearned writes events learned from mail, in one transaction. An event
// whose Dedup key is in the state file already (the same message seen in
// two folders, from two sources, or in an earlier sync) is skipped, and so
// is one that a logged event of the same person and kind within
// ManualWindow stands for. It returns the events written.
func (j *Journal) AddLearned(ctx context.Context, events []Event, now time.Time) ([]Event, error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("add learned events: %w", err)
	}
	defer tx.Rollback()
	for _, e := range events {
		if e.Dedup == "" || !IsLearned(e.Source) {
			return nil, &InvalidError{Field: "source", Msg: "a learned event needs a mail source and a dedup key"}
		}
		e.Logged = now
		if err := e.Check(now); err != nil {
			return nil, fmt.Errorf("add learned event: %w", err)
		}
	}
	// learnedChunk events a statement, which says which it wrote by their
	// keys: the per-statement work of database/sql and of the driver,
	// paid an event, was most of a first sync's writing. Each statement
	// runs without ctx, and ctx is checked between them: the driver
	// watches a context that can end with a goroutine of its own a
	// statement.
	quick := context.WithoutCancel(ctx)
	var full *sql.Stmt
	if len(events) > learnedChunk {
		if full, err = tx.PrepareContext(ctx, addLearnedSQL(learnedChunk)); err != nil {
			return nil, fmt.Errorf("add learned events: %w", err)
		}
		defer full.Close()
	}
	var added []Event
	// written is what a statement wrote, by key: a key twice in one
	// statement is written for the first event its logged check lets
	// through, which is not always the first.
	type row struct {
		id, at        int64
		contact, kind string
	}
	written := map[string]row{}
	var args []any
	for rest := events; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := rest[:min(learnedChunk, len(rest))]
		rest = rest[len(chunk):]
		args = args[:0]
		for _, e := range chunk {
			args = append(args, e.Contact, string(e.Kind), ms(e.At), e.Note, e.Source, ms(now), e.Dedup,
				ms(e.At.Add(-ManualWindow)), ms(e.At.Add(ManualWindow)))
		}
		var rows *sql.Rows
		if len(chunk) == learnedChunk {
			rows, err = full.QueryContext(quick, args...)
		} else {
			rows, err = tx.QueryContext(quick, addLearnedSQL(len(chunk)), args...)
		}
		if err != nil {
			return nil, fmt.Errorf("add learned event: %w", err)
		}
		clear(written)
		for rows.Next() {
			var w row
			var key string
			if err := rows.Scan(&w.id, &key, &w.at, &w.contact, &w.kind); err != nil {
				rows.Close()
				return nil, fmt.Errorf("add learned event: %w", err)
			}
			written[key] = w
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("add learned event: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("add learned event: %w", err)
		}
		// In their order; a key twice in the chunk was written once,
		// for the first event of its person, kind and time.
		for _, e := range chunk {
			if w, ok := written[e.Dedup]; ok && w.at == ms(e.At) && w.contact == e.Contact && w.kind == string(e.Kind) {
				delete(written, e.Dedup)
				e.ID, e.Logged = w.id, now
				added = append(added, e)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("add learned events: %w", err)
	}
	return added, nil
}

// learnedChunk is the events one statement writes: 9 parameters each,
// far under SQLite's limit of 32,766.
const learnedChunk = 100

// addLearnedSQL writes n learned events, each unless its key is in the
// state file or a logged event of the same person and kind within
// ManualWindow stands for it, and returns the id, the key, the time, the
// person and the kind of each it wrote. Learned events all have a key, so
// a logged event (which has none) is never one of the chunk's own.
func addLearnedSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR IGNORE INTO events (contact, kind, at, until, note, source, logged, dedup)
	SELECT column1, column2, column3, NULL, column4, column5, column6, column7 FROM (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(`) AS v
	WHERE NOT EXISTS (SELECT 1 FROM events WHERE contact = v.column1 AND kind = v.column2 AND dedup IS NULL AND at BETWEEN v.column8 AND v.column9)
	RETURNING id, dedup, at, contact, kind`)
	return b.String()
}

// Cursor returns where source stopped reading folder, as the source wrote
// it (SetCursor); nil when it never has. The bytes are the source type's
// own: the journal keeps them and reads nothing into them.
func (j *Journal) Cursor(ctx context.Context, source, folder string) ([]byte, error) {
	var c []byte
	err := j.db.QueryRowContext(ctx, `SELECT cursor FROM mail_cursors WHERE source = ? AND folder = ?`, source, folder).Scan(&c)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read where a mail folder was read to: %w", err)
	}
	return c, nil
}

// SetCursor records where source stopped reading folder.
func (j *Journal) SetCursor(ctx context.Context, source, folder string, cursor []byte) error {
	_, err := j.db.ExecContext(ctx, `INSERT INTO mail_cursors (source, folder, cursor) VALUES (?, ?, ?)
		ON CONFLICT (source, folder) DO UPDATE SET cursor = excluded.cursor`, source, folder, cursor)
	if err != nil {
		return fmt.Errorf("record where a mail folder was read to: %w", err)
	}
	return nil
}

// LoggedSince returns, for each contact with an event written after t
// (logged by hand or learned from mail), or a meeting to come found
// after t (SetPlanned), when the latest was written.
func (j *Journal) LoggedSince(ctx context.Context, t time.Time) (map[string]time.Time, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT contact, MAX(logged) FROM (
		SELECT contact, logged FROM events WHERE logged > ?
		UNION ALL SELECT contact, written FROM planned WHERE written > ?) GROUP BY contact`, ms(t), ms(t))
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var c string
		var at int64
		if err := rows.Scan(&c, &at); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		out[c] = time.UnixMilli(at)
	}
	return out, rows.Err()
}

// SourceState is how a mail source fares, as the daemon last saw it.
type SourceState struct {
	Source       string
	LastOK       time.Time // zero: never worked
	FailingSince time.Time // zero: working
	LastError    string
}

// RecordSync records the outcome of one sync of source at now: err nil
// for one that worked.
func (j *Journal) RecordSync(ctx context.Context, source string, now time.Time, syncErr error) error {
	var err error
	if syncErr == nil {
		_, err = j.db.ExecContext(ctx, `INSERT INTO mail_sources (source, last_ok) VALUES (?, ?)
			ON CONFLICT (source) DO UPDATE SET last_ok = excluded.last_ok, failing_since = 0, last_error = ''`, source, ms(now))
	} else {
		_, err = j.db.ExecContext(ctx, `INSERT INTO mail_sources (source, failing_since, last_error) VALUES (?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET last_error = excluded.last_error,
			failing_since = CASE WHEN failing_since = 0 THEN excluded.failing_since ELSE failing_since END`, source, ms(now), hint.Line(syncErr))
	}
	if err != nil {
		return fmt.Errorf("record a mail source's state: %w", err)
	}
	return nil
}

// SourceStates returns what RecordSync recorded, by source.
func (j *Journal) SourceStates(ctx context.Context) (map[string]SourceState, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT source, last_ok, failing_since, last_error FROM mail_sources`)
	if err != nil {
		return nil, fmt.Errorf("read mail sources: %w", err)
	}
	defer rows.Close()
	out := map[string]SourceState{}
	for rows.Next() {
		var s SourceState
		var ok, since int64
		if err := rows.Scan(&s.Source, &ok, &since, &s.LastError); err != nil {
			return nil, fmt.Errorf("read mail sources: %w", err)
		}
		if ok != 0 {
			s.LastOK = time.UnixMilli(ok)
		}
		if since != 0 {
			s.FailingSince = time.UnixMilli(since)
		}
		out[s.Source] = s
	}
	return out, rows.Err()
}
