package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Delivery states.
const (
	Pending   = "pending"
	Sent      = "sent"
	Failed    = "failed"
	Cancelled = "cancelled" // its person left the config, or it moved to other channels
)

// ChannelFailed is the kind of the notice that tells the user, through
// their other channels, that one channel failed for good; its contact is the
// failed channel's name.
const ChannelFailed = "channel_failed"

// Identity names a reminder: a person, a kind and the date that opened the
// episode. It is delivered once, then repeated at most every remind_again.
type Identity struct {
	Contact string
	Kind    string
	Anchor  time.Time
}

func ms0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS0(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// Enqueued is what the outbox knows of an identity: how often it was
// enqueued and when last.
type Enqueued struct {
	Repeats int       // times enqueued
	Last    time.Time // the latest enqueue
}

// Reminded returns, for every reminder identity in the outbox, how often and
// when it was last enqueued.
func (j *Journal) Reminded(ctx context.Context) (map[Identity]Enqueued, error) {
	return j.reminded(ctx, "")
}

// RemindedOf is Reminded for one contact.
func (j *Journal) RemindedOf(ctx context.Context, contact string) (map[Identity]Enqueued, error) {
	return j.reminded(ctx, contact)
}

func (j *Journal) reminded(ctx context.Context, contact string) (map[Identity]Enqueued, error) {
	// created is the latest repeat's (SQLite takes a bare column from the
	// row that gives MAX): a repeat made after a run dated ahead (the
	// clock was ahead) counts from its own time, not from that run's.
	rows, err := j.db.QueryContext(ctx, `SELECT contact, kind, anchor, MAX(repeat), created FROM outbox
		WHERE kind != ? AND (? = '' OR contact = ?) GROUP BY contact, kind, anchor`, ChannelFailed, contact, contact)
	if err != nil {
		return nil, fmt.Errorf("read outbox history: %w", err)
	}
	defer rows.Close()
	out := map[Identity]Enqueued{}
	for rows.Next() {
		var id Identity
		var anchor, created int64
		var repeat int
		if err := rows.Scan(&id.Contact, &id.Kind, &anchor, &repeat, &created); err != nil {
			return nil, fmt.Errorf("read outbox history: %w", err)
		}
		id.Anchor = fromMS0(anchor)
		out[normal(id)] = Enqueued{Repeats: repeat + 1, Last: time.UnixMilli(created)}
	}
	return out, rows.Err()
}

// Reminders is the outbox's record of the reminders that went out, read
// for the current episodes: each person's newest episode (and newest
// occasion) is read at once, from the episodes table, and an older one,
// which only a date set back or a look at a past time asks for, from the
// outbox when asked. A run and status then cost the same whether the
// outbox holds a week of reminders or ten years of them. Lookup may be
// called from several goroutines; Err says whether a look-up failed.
type Reminders struct {
	newest map[string]*[2]newest // by contact: [0] other kinds, [1] occasions
	// since: a person's row was read unless both their newest anchors are
	// older than since and not zero. contact: only theirs was read.
	since   int64
	contact string
	ctx     context.Context
	j       *Journal
	mu      sync.Mutex
	err     error
}

// newest is a person's newest episode of occasions, or of the other kinds.
type newest struct {
	kind   string
	anchor int64 // Unix ms; 0: none
	e      Enqueued
}

// occasion is the reminder kind whose episodes episodes keeps apart.
const occasion = "occasion"

// Reminders reads what Lookup needs to answer for the reminders due now:
// the newest episodes whose anchors are no older than the oldest of due
// (and those with none, a first hello). Others are read when asked.
func (j *Journal) Reminders(ctx context.Context, due []Identity) (*Reminders, error) {
	since := bound(due)
	return j.reminders(ctx, since, `SELECT `+episodeColumns+` FROM episodes WHERE anchor >= ? OR anchor = 0 OR occ_anchor >= ?`, since, since)
}

// RemindersOf is Reminders for one contact, whatever is due.
func (j *Journal) RemindersOf(ctx context.Context, contact string) (*Reminders, error) {
	r, err := j.reminders(ctx, math.MinInt64, `SELECT `+episodeColumns+` FROM episodes WHERE contact = ?`, contact)
	if r != nil {
		r.contact = contact
	}
	return r, err
}

// bound is the oldest anchor among due, in Unix ms; none (or only zero
// anchors): the largest.
func bound(due []Identity) int64 {
	since := int64(math.MaxInt64)
	for _, id := range due {
		if a := ms0(id.Anchor); a != 0 && a < since {
			since = a
		}
	}
	return since
}

const episodeColumns = `contact, coalesce(kind, ''), anchor, repeat, created, occ_anchor, occ_repeat, occ_created`

func (j *Journal) reminders(ctx context.Context, since int64, q string, args ...any) (*Reminders, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox history: %w", err)
	}
	defer rows.Close()
	r := &Reminders{newest: map[string]*[2]newest{}, since: since, ctx: ctx, j: j}
	kinds := map[string]string{}
	for rows.Next() {
		var who string
		var kind sql.RawBytes
		var anchor, repeat, created, occAnchor, occRepeat, occCreated sql.NullInt64
		if err := rows.Scan(&who, &kind, &anchor, &repeat, &created, &occAnchor, &occRepeat, &occCreated); err != nil {
			return nil, fmt.Errorf("read outbox history: %w", err)
		}
		n := new([2]newest)
		if anchor.Valid {
			k, ok := kinds[string(kind)] // a few kinds, each string once
			if !ok {
				k = string(kind)
				kinds[k] = k
			}
			n[0] = newest{kind: k, anchor: anchor.Int64, e: Enqueued{Repeats: int(repeat.Int64) + 1, Last: time.UnixMilli(created.Int64)}}
		}
		if occAnchor.Valid {
			n[1] = newest{kind: occasion, anchor: occAnchor.Int64, e: Enqueued{Repeats: int(occRepeat.Int64) + 1, Last: time.UnixMilli(occCreated.Int64)}}
		}
		r.newest[who] = n
	}
	return r, rows.Err()
}

// Lookup tells how often, and when last, the reminder id was enqueued;
// false when it never was (or when a look-up failed: see Err).
func (r *Reminders) Lookup(id Identity) (Enqueued, bool) {
	if r == nil || id.Kind == ChannelFailed || (r.contact != "" && id.Contact != r.contact) {
		return Enqueued{}, false
	}
	if id.Anchor.Nanosecond()%int(time.Millisecond) != 0 {
		return Enqueued{}, false // the outbox keeps milliseconds: never written
	}
	a := ms0(id.Anchor)
	all := r.newest[id.Contact]
	if all == nil {
		if a >= r.since {
			// Not read: their newest anchors, if any, are older still.
			return Enqueued{}, false
		}
		return r.older(id, a)
	}
	n := all[0]
	if id.Kind == occasion {
		n = all[1]
	}
	switch {
	case n.kind == "" || a > n.anchor:
		// Nothing of this line, or nothing this new: the person's
		// episodes before the newest all have earlier anchors.
		return Enqueued{}, false
	case a == n.anchor && id.Kind == n.kind:
		return n.e, true
	}
	return r.older(id, a)
}

// older looks an episode older than the newest up in the outbox.
func (r *Reminders) older(id Identity, anchor int64) (Enqueued, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return Enqueued{}, false
	}
	var repeat int
	var created int64
	err := r.j.db.QueryRowContext(r.ctx, `SELECT repeat, created FROM outbox
		WHERE contact = ? AND kind = ? AND anchor = ? ORDER BY repeat DESC, channel LIMIT 1`, id.Contact, id.Kind, anchor).Scan(&repeat, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Enqueued{}, false
	case err != nil:
		r.err = fmt.Errorf("read outbox history: %w", err)
		return Enqueued{}, false
	}
	return Enqueued{Repeats: repeat + 1, Last: time.UnixMilli(created)}, true
}

// Err is the first error a Lookup met; its answers after it are not to be
// trusted.
func (r *Reminders) Err() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// normal makes identities comparable as map keys: times in UTC.
func normal(id Identity) Identity {
	if !id.Anchor.IsZero() {
		id.Anchor = id.Anchor.UTC()
	}
	return id
}

// Key returns id in the form Reminded's map uses.
func (id Identity) Key() Identity { return normal(id) }

// Row is one reminder for one channel, to enqueue.
type Row struct {
	Identity
	Repeat    int // 0 for the first delivery of the identity
	Channel   string
	Digest    bool
	Message   []byte // the rendered message, JSON
	NotBefore time.Time
}

// Run is one scheduled run, for the run log.
type Run struct {
	Slot     time.Time // the schedule slot it stands for
	Started  time.Time
	Finished time.Time
	Due      int // people due
	// Seen are the people this run saw for the first time (SeenPeople),
	// written with it.
	Seen map[string]Seen
}

// Enqueue records a run and its reminders in one transaction, so that a
// crash leaves either both or neither. A row whose identity, repeat and
// channel are already in the outbox (another process's run) is skipped; the
// count of rows written is returned.
func (j *Journal) Enqueue(ctx context.Context, run Run, rows []Row) (int, error) {
	return j.EnqueueChunks(ctx, run, func(yield func([]Row, error) bool) { yield(rows, nil) })
}

// EnqueueChunks is Enqueue with the rows coming in chunks as they are
// made, so that composing the next chunk and writing this one overlap; it
// is still one transaction, and a chunk's error writes nothing.
func (j *Journal) EnqueueChunks(ctx context.Context, run Run, chunks iter.Seq2[[]Row, error]) (int, error) {
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer conn.Close()
	big := false
	defer func() {
		if big { // after the transaction: SQLite's default again
			conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (slot, started, finished, due) VALUES (?, ?, ?, ?)`,
		ms(run.Slot), ms(run.Started), ms(run.Finished), run.Due)
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	batch, _ := res.LastInsertId()
	if err := insertSeen(ctx, tx, run.Seen); err != nil {
		return 0, err
	}
	n := 0
	for rows, err := range chunks {
		if err != nil {
			return 0, err
		}
		if !big && len(rows) >= bigRun {
			// A run of many reminders writes to pages all over the
			// outbox's indexes, the episodes and the people seen: with
			// SQLite's usual 2 MB of cache, pages went to the log and
			// were read back again and again within the transaction.
			// Its connection has a larger cache until it is done.
			big = true
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -bigRunCache>>10)); err != nil {
				return 0, fmt.Errorf("enqueue: %w", err)
			}
		}
		k, err := insertRows(ctx, tx, batch, run.Started, rows)
		if err != nil {
			return 0, err
		}
		n += k
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return n, nil
}

// A chunk of at least bigRun rows makes a run big: its transaction has
// a page cache of bigRunCache bytes (at 100,000 reminders, 5 % less CPU
// than with SQLite's default 2 MB, 40 % fewer page writes and 60 % fewer
// reads; a cache of 64 MB saved 1 % more for 70 MB more memory).
const (
	bigRun      = 1000
	bigRunCache = 24 << 20
)

// insertChunk is how many rows one INSERT statement writes: far fewer
// round trips through database/sql than one statement a row.
const insertChunk = 100

func insertRows(ctx context.Context, tx *sql.Tx, batch int64, now time.Time, rows []Row) (int, error) {
	var before int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(MAX(id), 0) FROM outbox`).Scan(&before); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	n, failed, err := insertChunked(ctx, tx, rows, insertChunk, insertSQL, func(args []any, r Row) []any {
		notBefore := r.NotBefore
		if notBefore.IsZero() {
			notBefore = now
		}
		return append(args, r.Contact, r.Kind, ms0(r.Anchor), r.Repeat, r.Channel, batch,
			r.Digest, string(r.Message), ms(now), ms(notBefore))
	})
	switch {
	case err != nil && failed > 0:
		return 0, fmt.Errorf("enqueue %d reminders: %w", failed, err)
	case err != nil:
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	if n > 0 {
		// Each statement reads the rows written again: one whose kinds
		// no row has (occasions, most often) is not run.
		for _, q := range episodesSQL {
			if !slices.ContainsFunc(rows, func(r Row) bool { return q.reads(r.Kind) }) {
				continue
			}
			if _, err := tx.ExecContext(ctx, q.sql, before); err != nil {
				return 0, fmt.Errorf("enqueue: %w", err)
			}
		}
	}
	return n, nil
}

// episodesSQL brings the episodes table up to date with the outbox rows
// written after the id given (those of this transaction), each statement
// those of the kinds it reads: the kinds other than occasion (and
// channel_failed), then the occasions. Each goes in the order of the
// table's key: a row replaces a person's newest episode when its anchor is
// later, or at the same anchor its kind sorts after it, or for the same
// kind its repeat is higher, or for the same repeat its channel sorts
// first (the migration's order). Occasions the same, apart.
var episodesSQL = []struct {
	reads func(kind string) bool
	sql   string
}{{
	func(kind string) bool { return kind != occasion && kind != ChannelFailed },
	`INSERT INTO episodes (contact, kind, anchor, repeat, channel, created)
		SELECT contact, kind, anchor, repeat, channel, created FROM outbox
		WHERE id > ? AND kind NOT IN ('occasion', 'channel_failed') ORDER BY contact, anchor, kind, repeat, channel DESC
	ON CONFLICT (contact) DO UPDATE
		SET kind = excluded.kind, anchor = excluded.anchor, repeat = excluded.repeat, channel = excluded.channel, created = excluded.created
		WHERE episodes.anchor IS NULL OR excluded.anchor > episodes.anchor OR (excluded.anchor = episodes.anchor AND
			(excluded.kind > episodes.kind OR (excluded.kind = episodes.kind AND
			(excluded.repeat > episodes.repeat OR (excluded.repeat = episodes.repeat AND excluded.channel < episodes.channel)))))`,
}, {
	func(kind string) bool { return kind == occasion },
	`INSERT INTO episodes (contact, occ_anchor, occ_repeat, occ_channel, occ_created)
		SELECT contact, anchor, repeat, channel, created FROM outbox
		WHERE id > ? AND kind = 'occasion' ORDER BY contact, anchor, repeat, channel DESC
	ON CONFLICT (contact) DO UPDATE
		SET occ_anchor = excluded.occ_anchor, occ_repeat = excluded.occ_repeat, occ_channel = excluded.occ_channel, occ_created = excluded.occ_created
		WHERE episodes.occ_anchor IS NULL OR excluded.occ_anchor > episodes.occ_anchor OR (excluded.occ_anchor = episodes.occ_anchor AND
			(excluded.occ_repeat > episodes.occ_repeat OR (excluded.occ_repeat = episodes.occ_repeat AND excluded.occ_channel < episodes.occ_channel)))`,
}}

// insertSQL inserts n outbox rows, skipping any the outbox already has.
func insertSQL(n int) string {
	return `INSERT OR IGNORE INTO outbox (contact, kind, anchor, repeat, channel, batch, digest, message, created, next_try) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?),", n), ",")
}

// EnqueueNotice adds rows outside a run (a channel-failure notice) unless
// an identical one exists.
func (j *Journal) EnqueueNotice(ctx context.Context, now time.Time, rows []Row) (int, error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue notice: %w", err)
	}
	defer tx.Rollback()
	n, err := insertRows(ctx, tx, 0, now, rows)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// LastFinished returns when the latest run finished; zero if none.
func (j *Journal) LastFinished(ctx context.Context) (time.Time, error) {
	return j.latestRun(ctx, "finished")
}

// LastSlot returns the slot of the latest completed run; zero if none.
func (j *Journal) LastSlot(ctx context.Context) (time.Time, error) {
	return j.latestRun(ctx, "slot")
}

// LastSlotAt returns the slot of the latest run dated at or before t; zero
// if none. A run dated after t was made while the clock was ahead; the
// schedule goes on from this one (scheduler.Loop).
func (j *Journal) LastSlotAt(ctx context.Context, t time.Time) (time.Time, error) {
	var v sql.NullInt64
	if err := j.db.QueryRowContext(ctx, `SELECT MAX(slot) FROM runs WHERE slot <= ?`, ms(t)).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("read last run: %w", err)
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(v.Int64), nil
}

// latestRun is the largest value of a time column of the run log.
func (j *Journal) latestRun(ctx context.Context, column string) (time.Time, error) {
	var v sql.NullInt64
	if err := j.db.QueryRowContext(ctx, `SELECT MAX(`+column+`) FROM runs`).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("read last run: %w", err)
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(v.Int64), nil
}

// Delivery is an outbox row.
type Delivery struct {
	ID int64
	Identity
	Repeat    int
	Channel   string
	Batch     int64
	Digest    bool
	Message   []byte
	Created   time.Time
	NextTry   time.Time
	Attempts  int
	LastError string
	State     string
	Sent      time.Time
}

// scanPiece is how many deliveries scanDeliveries reads into one piece.
const scanPiece = 1024

const deliveryColumns = `id, contact, kind, anchor, repeat, channel, batch, digest, message, created, next_try, attempts, last_error, state, sent`

// queryDeliveries runs a query for deliveries and reads them; what names the
// read in an error.
func (j *Journal) queryDeliveries(ctx context.Context, what, q string, args ...any) ([]Delivery, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func scanDeliveries(rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	// The rows are read into pieces of a fixed size and put together once
	// at the end: a slice grown by append copied the deliveries of a run
	// with 100,000 due over and over (0.16 s of CPU, and garbage).
	var pieces [][]Delivery
	var piece []Delivery
	n := 0
	for rows.Next() {
		if len(piece) == cap(piece) {
			if len(piece) > 0 {
				pieces = append(pieces, piece)
			}
			piece = make([]Delivery, 0, scanPiece)
		}
		piece = piece[:len(piece)+1]
		d := &piece[len(piece)-1]
		var anchor, created, next int64
		var sent sql.NullInt64
		// The message is scanned as bytes: one copy of the driver's text.
		if err := rows.Scan(&d.ID, &d.Contact, &d.Kind, &anchor, &d.Repeat, &d.Channel, &d.Batch, &d.Digest, &d.Message,
			&created, &next, &d.Attempts, &d.LastError, &d.State, &sent); err != nil {
			return nil, err
		}
		d.Anchor, d.Created, d.NextTry = fromMS0(anchor), time.UnixMilli(created), time.UnixMilli(next)
		if sent.Valid {
			d.Sent = time.UnixMilli(sent.Int64)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(pieces) == 0 {
		return piece, nil
	}
	out := make([]Delivery, 0, n)
	for _, p := range pieces {
		out = append(out, p...)
	}
	return append(out, piece...), nil
}

// Due returns the pending deliveries whose time has come, oldest first.
func (j *Journal) Due(ctx context.Context, now time.Time) ([]Delivery, error) {
	return j.queryDeliveries(ctx, "read outbox", `SELECT `+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_try <= ? ORDER BY next_try, id`, ms(now))
}

// Waiting returns the pending deliveries whose time has not come yet (a
// backoff, quiet hours), soonest first.
func (j *Journal) Waiting(ctx context.Context, now time.Time) ([]Delivery, error) {
	return j.queryDeliveries(ctx, "read outbox", `SELECT `+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_try > ? ORDER BY next_try, id`, ms(now))
}

// NextDue returns when the earliest pending delivery is due; ok is false
// when nothing is pending.
func (j *Journal) NextDue(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	if err := j.db.QueryRowContext(ctx, `SELECT MIN(next_try) FROM outbox WHERE state = 'pending'`).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("read outbox: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(v.Int64), true, nil
}

// PendingCount counts pending deliveries.
func (j *Journal) PendingCount(ctx context.Context) (int, error) {
	var n int
	err := j.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state = 'pending'`).Scan(&n)
	return n, err
}

// idList is the condition that picks the rows ids: a range when they are
// one run of consecutive ids in order (the rows a run wrote, marked batch
// by batch: SQLite reads two parameters instead of a thousand and walks
// the range), else a list.
func idList(ids []int64) (string, []any) {
	consecutive := true
	for i := 1; i < len(ids) && consecutive; i++ {
		consecutive = ids[i] == ids[i-1]+1
	}
	if consecutive && len(ids) > 1 {
		return "id BETWEEN ? AND ?", []any{ids[0], ids[len(ids)-1]}
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

// updateSQL changes the pending rows among those the condition which
// (idList's) picks by id. The unary + keeps SQLite from reaching them
// through the index of pending rows (it would walk every pending row for
// each update, and a run of many reminders would cost the square of their
// number): the ids are the way in.
func updateSQL(set, which string) string {
	return `UPDATE outbox SET ` + set + ` WHERE +state = 'pending' AND ` + which
}

func (j *Journal) update(ctx context.Context, what, set string, ids []int64, args ...any) error {
	if len(ids) == 0 {
		return nil
	}
	in, idArgs := idList(ids)
	_, err := j.db.ExecContext(ctx, updateSQL(set, in), append(args, idArgs...)...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// MarkSent records that the channel accepted the deliveries, and drops
// their messages: once a reminder went out, the state file keeps that it
// did, not what it said (which may quote the notes about the person).
func (j *Journal) MarkSent(ctx context.Context, ids []int64, at time.Time) error {
	return j.update(ctx, "mark sent", `state = 'sent', sent = ?, attempts = attempts + 1, last_error = '', message = ''`, ids, ms(at))
}

// MarkRetry records a temporary failure and when to try again.
func (j *Journal) MarkRetry(ctx context.Context, ids []int64, next time.Time, errText string) error {
	return j.update(ctx, "mark retry", `attempts = attempts + 1, next_try = ?, last_error = ?`, ids, ms(next), errText)
}

// MarkFailed records a permanent failure: no more tries.
func (j *Journal) MarkFailed(ctx context.Context, ids []int64, errText string) error {
	return j.update(ctx, "mark failed", `state = 'failed', attempts = attempts + 1, last_error = ?`, ids, errText)
}

// MarkCancelled takes pending deliveries out of the queue, saying why.
func (j *Journal) MarkCancelled(ctx context.Context, ids []int64, why string) error {
	return j.update(ctx, "cancel", `state = 'cancelled', last_error = ?`, ids, why)
}

// Move hands a pending delivery to other channels: one copy of it for each
// (unless that channel already has this reminder) and the row itself
// cancelled, in one transaction. It returns how many copies were written.
func (j *Journal) Move(ctx context.Context, d Delivery, channels []string, message []byte, why string) (int, error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("move delivery %d: %w", d.ID, err)
	}
	defer tx.Rollback()
	rows := make([]Row, len(channels))
	for i, ch := range channels {
		rows[i] = Row{Identity: d.Identity, Repeat: d.Repeat, Channel: ch, Digest: d.Digest, Message: message, NotBefore: d.NextTry}
	}
	n, err := insertRows(ctx, tx, d.Batch, d.Created, rows)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', last_error = ? WHERE id = ? AND +state = 'pending'`, why, d.ID); err != nil {
		return 0, fmt.Errorf("move delivery %d: %w", d.ID, err)
	}
	return n, tx.Commit()
}

// Deliveries returns outbox rows newest first, for one contact or all;
// limit <= 0 means all.
func (j *Journal) Deliveries(ctx context.Context, contact string, limit int) ([]Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM outbox`
	var args []any
	if contact != "" {
		q += ` WHERE contact = ?`
		args = append(args, contact)
	}
	q += ` ORDER BY created DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return j.queryDeliveries(ctx, "read deliveries", q, args...)
}

// Failures returns the deliveries that failed for good, and the pending
// ones that failed for now and wait for another try, for status.
func (j *Journal) Failures(ctx context.Context) ([]Delivery, error) {
	return j.failures(ctx, "", math.MinInt64)
}

// FailuresFor is Failures of the reminders whose anchors are no older
// than the oldest of due, or zero: all that can be one of due.
func (j *Journal) FailuresFor(ctx context.Context, due []Identity) ([]Delivery, error) {
	return j.failures(ctx, "", bound(due))
}

// FailuresOf is Failures for one contact.
func (j *Journal) FailuresOf(ctx context.Context, contact string) ([]Delivery, error) {
	return j.failures(ctx, contact, math.MinInt64)
}

func (j *Journal) failures(ctx context.Context, contact string, since int64) ([]Delivery, error) {
	return j.queryDeliveries(ctx, "read failures", failuresSQL, contact, contact, since)
}

// failuresSQL reads the failures of one contact or all, back to an
// anchor. Its first term is the condition of the index outbox_failures,
// word for word: SQLite then reads that index, not the whole outbox.
const failuresSQL = `SELECT ` + deliveryColumns + ` FROM outbox
	WHERE (state = 'failed' OR (state = 'pending' AND last_error != '')) AND (? = '' OR contact = ?) AND (anchor >= ? OR anchor = 0)
	ORDER BY created, id`
