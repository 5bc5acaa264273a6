// Package journal is rekindle's own state: one SQLite file (pure Go driver,
// WAL mode) that the daemon and the command line may use at the same moment.
//
// It holds the journal of events the user logged (talked, replied,
// reached-out, fallout, snooze, let-be, resume), the daemon's outbox (one row
// per reminder identity, repeat and channel, with attempts, next try, last
// error and sent time) and its run log. The schema is versioned with PRAGMA
// user_version and migrated forward on open.
//
// Times are stored as Unix milliseconds and returned in time.Local; callers
// convert them to the configured zone.
package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // the "sqlite" driver, and its errors
	sqlite3 "modernc.org/sqlite/lib"
)

// Kind is the kind of a logged event.
type Kind string

// Event kinds, as written on the command line.
const (
	Talked     Kind = "talked"
	Replied    Kind = "replied"
	ReachedOut Kind = "reached-out"
	Fallout    Kind = "fallout"
	Snooze     Kind = "snooze"
	LetBe      Kind = "let-be"
	Resume     Kind = "resume"
)

// kinds lists every event kind.
var kinds = []Kind{Talked, Replied, ReachedOut, Fallout, Snooze, LetBe, Resume}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Logged reports whether k is something that happened between two people,
// which `log` and the API record: talked, replied, reached-out, fallout.
// (The others are the user's decisions, with commands of their own.)
func (k Kind) Logged() bool {
	switch k {
	case Talked, Replied, ReachedOut, Fallout:
		return true
	}
	return false
}

// Limits on what an event may hold. They live here, once: the command
// line, the API and the dashboard all write through Add, which checks them.
const (
	// MaxAhead is how far in the future an event may be dated: a little
	// slack for clocks and time zones, not a way to log what has not
	// happened.
	MaxAhead = 24 * time.Hour
	// MaxNote is the longest note, in bytes.
	MaxNote = 4096
	// MaxSnooze is the longest snooze; to stop reminders for good there is
	// let-be.
	MaxSnooze = 5 * 366 * 24 * time.Hour
)

// InvalidError is an event that breaks one of the limits above. Field names
// what is wrong, as the command line and the API call it.
type InvalidError struct {
	Field string // "kind", "at", "note", "until", "contact", "source"
	Msg   string
	// Future is set when the event is dated too far ahead: the API answers
	// 422 for it, 400 for the rest.
	Future bool
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Msg }

// earliest and latest bound every time rekindle accepts: anything outside
// is a typo or an unset value, never a date in someone's life.
var (
	earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime rejects the zero time and times before 1900 or after 9999.
func CheckTime(t time.Time) error {
	if t.IsZero() || t.Before(earliest) || !t.Before(latest) {
		return fmt.Errorf("%s is out of range: give a time between 1900 and 9999", t.Format(time.RFC3339))
	}
	return nil
}

// Check tells whether e may be written at now.
func (e Event) Check(now time.Time) error {
	if !e.Kind.Valid() {
		return &InvalidError{Field: "kind", Msg: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	if e.Contact == "" {
		return &InvalidError{Field: "contact", Msg: "missing"}
	}
	if e.Source == "" {
		return &InvalidError{Field: "source", Msg: "missing"}
	}
	if err := CheckTime(e.At); err != nil {
		return &InvalidError{Field: "at", Msg: err.Error()}
	}
	if e.At.After(now.Add(MaxAhead)) {
		return &InvalidError{Field: "at", Future: true,
			Msg: e.At.Format(time.RFC3339) + " is in the future; log what has happened"}
	}
	if len(e.Note) > MaxNote {
		return &InvalidError{Field: "note", Msg: fmt.Sprintf("%d bytes; at most %d", len(e.Note), MaxNote)}
	}
	switch {
	case e.Kind == Snooze && !e.Until.After(e.At):
		return &InvalidError{Field: "until", Msg: "a snooze must end after it starts"}
	case e.Kind == Snooze && e.Until.Sub(e.At) > MaxSnooze:
		return &InvalidError{Field: "until", Msg: "a snooze lasts at most 5 years; to stop reminders, use let-be"}
	case e.Kind != Snooze && !e.Until.IsZero():
		return &InvalidError{Field: "until", Msg: "only a snooze has an end"}
	}
	return nil
}

// Event is one journal entry.
type Event struct {
	ID      int64
	Contact string // contact id
	Kind    Kind
	At      time.Time // when it happened
	Until   time.Time // end of a snooze; zero otherwise
	Note    string
	Source  string    // who logged it: "cli", "api", ...; TYPE:NAME ("maildir:home") when learned from mail
	Logged  time.Time // when it was written
	Dedup   string    // for an event learned from mail: the key that makes it one event (AddLearned)
}

// Journal is an open state file.
type Journal struct {
	db   *sql.DB
	path string
	file os.FileInfo // the file as opened, to notice it deleted or replaced

	version versionConn // see Version
}

// ErrNoStateDir is returned by DefaultPath when no state directory can be
// determined.
var ErrNoStateDir = errors.New("journal: no state directory: set STATE_DIRECTORY or XDG_STATE_HOME")

// DefaultPath is the state file's path: under $STATE_DIRECTORY (set by
// systemd's StateDirectory=; the first of several), else
// $XDG_STATE_HOME/rekindle, else ~/.local/state/rekindle.
func DefaultPath() (string, error) {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		first, _, _ := strings.Cut(d, ":")
		return filepath.Join(first, "rekindle.db"), nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "rekindle", "rekindle.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", ErrNoStateDir
	}
	return filepath.Join(home, ".local", "state", "rekindle", "rekindle.db"), nil
}

// Open opens (creating if needed) the state file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	// The file holds what the user wrote about people and signed links:
	// private to its owner. SQLite gives the WAL and shared-memory files
	// the mode of the database file, so creating that one 0600 is enough
	// for new files; older ones are tightened here.
	if err := private(path); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	// busy_timeout lets a second process wait for the first one's write
	// instead of failing; _txlock=immediate takes the write lock when a
	// transaction starts, so two writers never deadlock on an upgrade.
	// wal_autocheckpoint(10000) copies the log into the file every 40 MB
	// rather than every 4: a run of tens of thousands of reminders then
	// pays for a few checkpoints (each a write and an fsync of the file),
	// not for one every few batches; a small outbox never reaches it.
	dsn := "file:" + path + "?" + busyPragma + "&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=wal_autocheckpoint(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	j := &Journal{db: db, path: path}
	if err := j.migrateWaiting(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	if j.file, err = os.Stat(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	return j, nil
}

// OpenReadOnly opens the state file at path for reading only, for a dry
// run: nothing is created, migrated or written. A missing file reads as an
// empty journal (in memory).
func OpenReadOnly(ctx context.Context, path string) (*Journal, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		db, err := sql.Open("sqlite", "file:empty?mode=memory")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1) // one connection: one in-memory database
		j := &Journal{db: db, path: path}
		if err := j.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return j, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+busyPragma+"&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	j := &Journal{db: db, path: path}
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	if version != len(migrations) {
		db.Close()
		return nil, fmt.Errorf("open journal %s: schema version %d, this rekindle uses %d; run any other command once to bring it up to date", path, version, len(migrations))
	}
	return j, nil
}

// private creates path 0600 if it does not exist, and takes group and
// other permissions away from it and its companions if it does.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrReplaced is returned by Verify when the state file is no longer the
// file that was opened.
var ErrReplaced = errors.New("journal: the state file was deleted or replaced")

// Verify checks that the file at the journal's path is still the one that
// was opened. A daemon whose state file was deleted goes on writing to the
// deleted file while the command line creates a new one; it must notice.
func (j *Journal) Verify() error {
	fi, err := os.Stat(j.path)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrReplaced, j.path, err)
	}
	if !os.SameFile(fi, j.file) {
		return fmt.Errorf("%w: %s is another file now", ErrReplaced, j.path)
	}
	return nil
}

// Path returns the state file's path.
func (j *Journal) Path() string { return j.path }

// Close closes the state file.
func (j *Journal) Close() error {
	j.version.close()
	return j.db.Close()
}

// migrations are applied in order; user_version counts those applied. Never
// edit one that has shipped: add another.
var migrations = []string{
	`CREATE TABLE events (
		id      INTEGER PRIMARY KEY,
		contact TEXT    NOT NULL,
		kind    TEXT    NOT NULL CHECK (kind IN ('talked','replied','reached-out','fallout','snooze','let-be','resume')),
		at      INTEGER NOT NULL,            -- Unix ms
		until   INTEGER,                     -- Unix ms, snooze only
		note    TEXT    NOT NULL DEFAULT '',
		source  TEXT    NOT NULL,
		logged  INTEGER NOT NULL             -- Unix ms
	);
	CREATE INDEX events_by_contact ON events (contact, at, id);`,

	// The daemon: the run log (the last completed slot is MAX(slot)) and the
	// outbox, one row per reminder identity, repeat and channel.
	`CREATE TABLE runs (
		id       INTEGER PRIMARY KEY,
		slot     INTEGER NOT NULL,          -- Unix ms of the schedule slot
		started  INTEGER NOT NULL,
		finished INTEGER NOT NULL,
		due      INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE outbox (
		id         INTEGER PRIMARY KEY,
		contact    TEXT    NOT NULL,        -- contact id; the channel's name for channel_failed
		kind       TEXT    NOT NULL,
		anchor     INTEGER NOT NULL,        -- Unix ms of the date that opened the episode; 0: none
		repeat     INTEGER NOT NULL,        -- 0 for the first delivery of the identity
		channel    TEXT    NOT NULL,
		batch      INTEGER NOT NULL,        -- the run that enqueued it; 0 for notices
		digest     INTEGER NOT NULL DEFAULT 0,
		message    TEXT    NOT NULL,        -- the rendered message, JSON
		created    INTEGER NOT NULL,
		next_try   INTEGER NOT NULL,        -- not before: quiet hours, then backoff
		attempts   INTEGER NOT NULL DEFAULT 0,
		last_error TEXT    NOT NULL DEFAULT '',
		state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),
		sent       INTEGER,
		UNIQUE (contact, kind, anchor, repeat, channel)
	);
	CREATE INDEX outbox_pending ON outbox (state, next_try);`,

	// A pending row can be cancelled (its person left the config) or moved
	// (its channel did): the state 'cancelled' joins the CHECK, which SQLite
	// can only change by rebuilding the table.
	`CREATE TABLE outbox_v3 (
		id         INTEGER PRIMARY KEY,
		contact    TEXT    NOT NULL,
		kind       TEXT    NOT NULL,
		anchor     INTEGER NOT NULL,
		repeat     INTEGER NOT NULL,
		channel    TEXT    NOT NULL,
		batch      INTEGER NOT NULL,
		digest     INTEGER NOT NULL DEFAULT 0,
		message    TEXT    NOT NULL,
		created    INTEGER NOT NULL,
		next_try   INTEGER NOT NULL,
		attempts   INTEGER NOT NULL DEFAULT 0,
		last_error TEXT    NOT NULL DEFAULT '',
		state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','cancelled')),
		sent       INTEGER,
		UNIQUE (contact, kind, anchor, repeat, channel)
	);
	INSERT INTO outbox_v3 SELECT * FROM outbox;
	DROP TABLE outbox;
	ALTER TABLE outbox_v3 RENAME TO outbox;
	CREATE INDEX outbox_pending ON outbox (state, next_try);`,

	// Only pending rows need finding by time. A partial index holds them
	// alone: a row that is sent leaves it instead of moving within it, and
	// it stays small however long the outbox's history grows.
	`DROP INDEX outbox_pending;
	CREATE INDEX outbox_pending ON outbox (next_try) WHERE state = 'pending';`,

	// Events learned from mail carry a dedup key (a hash of the message's
	// Message-ID, the person and the kind): one message is one event,
	// however often and wherever it is seen.
	`ALTER TABLE events ADD COLUMN dedup TEXT;
	CREATE UNIQUE INDEX events_dedup ON events (dedup) WHERE dedup IS NOT NULL;
	CREATE TABLE mail_folders (
		source   TEXT    NOT NULL,          -- the [sources.NAME] name
		folder   TEXT    NOT NULL,          -- a Maildir's path, an IMAP folder's name
		validity INTEGER NOT NULL DEFAULT 0, -- IMAP UIDVALIDITY
		last_uid INTEGER NOT NULL DEFAULT 0, -- IMAP: the last UID read
		scanned  INTEGER NOT NULL DEFAULT 0, -- Maildir: Unix ms, the newest file read
		PRIMARY KEY (source, folder)
	);
	CREATE TABLE mail_sources (
		source        TEXT    PRIMARY KEY,
		last_ok       INTEGER NOT NULL DEFAULT 0, -- Unix ms of the last sync that worked
		failing_since INTEGER NOT NULL DEFAULT 0, -- Unix ms of the first failure in a row; 0: working
		last_error    TEXT    NOT NULL DEFAULT ''
	);`,

	// Credentials good once (a phone button of one notification, a
	// sign-in link) are marked used here, with the event they record, in
	// one transaction. A row may go once its credential has expired.
	`CREATE TABLE used_credentials (
		key     TEXT    PRIMARY KEY,        -- what was used, as the web server names it
		expires INTEGER NOT NULL            -- Unix ms: the credential's own expiry
	) WITHOUT ROWID;`,

	// The day rekindle first saw each person, and for someone with no
	// interaction on record then, the day of their turn in the queue of
	// new people: kept, so that a restart or a reload does not reshuffle
	// the queue.
	`CREATE TABLE people_seen (
		contact    TEXT    PRIMARY KEY,     -- contact id
		first_seen INTEGER NOT NULL,        -- Unix ms of the run that first saw them
		turn       TEXT                     -- YYYY-MM-DD in the configured zone; NULL: they had a date
	);`,

	// Where a mail source stopped reading a folder is the source type's
	// own value, kept as it wrote it (JSON): a new source type needs no
	// column of its own. The cursors of the two types there were are
	// carried over in the form each type writes.
	`CREATE TABLE mail_cursors (
		source TEXT NOT NULL,               -- the source's label, TYPE:NAME
		folder TEXT NOT NULL,               -- a Maildir's path, an IMAP folder's name
		cursor BLOB NOT NULL,               -- the source type's own (JSON)
		PRIMARY KEY (source, folder)
	) WITHOUT ROWID;
	INSERT INTO mail_cursors (source, folder, cursor)
		SELECT source, folder, CAST(CASE WHEN source LIKE 'maildir:%'
			THEN json_object('scanned', scanned)
			ELSE json_object('validity', validity, 'last_uid', last_uid) END AS BLOB)
		FROM mail_folders;
	DROP TABLE mail_folders;`,

	// The cards of the address book sources (see cards.go): each as the
	// person it maps to, by the address it has on the server, with its
	// ETag; and, for each address book, the sync token the server gave
	// at the last read ('' for a server that gives none).
	`CREATE TABLE cards (
		source TEXT NOT NULL,               -- the [sources.NAME]
		href   TEXT NOT NULL,               -- the card's path on the server
		book   TEXT NOT NULL,               -- its address book's path
		uid    TEXT NOT NULL,               -- the card's UID: the person's stable key
		etag   TEXT NOT NULL,
		contact TEXT NOT NULL,              -- the person's id, given at first sight
		person BLOB NOT NULL,               -- the mapped person (JSON)
		PRIMARY KEY (source, href)
	) WITHOUT ROWID;
	CREATE TABLE card_books (
		source TEXT NOT NULL,
		book   TEXT NOT NULL,
		token  TEXT NOT NULL,
		PRIMARY KEY (source, book)
	) WITHOUT ROWID;`,
	// The newest episode of each person's reminders, with its latest
	// repeat: what a run and status ask of the outbox, in one row per
	// person however long the outbox's history grows (it keeps a row per
	// reminder, repeat and channel, for ever). A person's episodes follow
	// one another in time, so their newest is the one with the latest
	// anchor; an occasion's anchor is its day, ahead of the rest, so
	// occasions have columns of their own. Each write to the outbox brings
	// the rows of its people up to date in the same transaction
	// (insertRows, episodesSQL); an older episode (a date in
	// the config set back, a status at a past time) is looked up in the
	// outbox itself (Reminders.Lookup). Of the rows of one repeat, the
	// first channel in name order gives the time, as the outbox's own
	// index orders them. A run and status read only the rows whose anchors
	// reach back as far as the reminders due now (Reminders, FailuresFor):
	// hence the indexes by anchor, and the failures' own.
	`CREATE TABLE episodes (
		contact     TEXT    PRIMARY KEY,
		kind        TEXT,                   -- the newest episode of another kind than occasion; NULL: none
		anchor      INTEGER,                -- Unix ms; 0: none
		repeat      INTEGER,                -- its latest repeat
		channel     TEXT,
		created     INTEGER,                -- Unix ms: when that repeat was enqueued
		occ_anchor  INTEGER,                -- the newest occasion's day; NULL: none
		occ_repeat  INTEGER,
		occ_channel TEXT,
		occ_created INTEGER
	) WITHOUT ROWID;
	INSERT INTO episodes (contact, kind, anchor, repeat, channel, created)
		SELECT contact, kind, anchor, repeat, channel, created FROM (
			SELECT contact, kind, anchor, repeat, channel, created,
				row_number() OVER (PARTITION BY contact ORDER BY anchor DESC, kind DESC, repeat DESC, channel) AS n
			FROM outbox WHERE kind NOT IN ('occasion', 'channel_failed'))
		WHERE n = 1;
	INSERT INTO episodes (contact, occ_anchor, occ_repeat, occ_channel, occ_created)
		SELECT contact, anchor, repeat, channel, created FROM (
			SELECT contact, anchor, repeat, channel, created,
				row_number() OVER (PARTITION BY contact ORDER BY anchor DESC, repeat DESC, channel) AS n
			FROM outbox WHERE kind = 'occasion')
		WHERE n = 1
		ON CONFLICT (contact) DO UPDATE SET occ_anchor = excluded.occ_anchor, occ_repeat = excluded.occ_repeat,
			occ_channel = excluded.occ_channel, occ_created = excluded.occ_created;
	CREATE INDEX episodes_anchor ON episodes (anchor);
	CREATE INDEX episodes_occ_anchor ON episodes (occ_anchor);
	CREATE INDEX outbox_failures ON outbox (anchor) WHERE state = 'failed' OR (state = 'pending' AND last_error != '');`,
	// The meetings still to come in a calendar, with each person of the
	// config they would count as a talk with (planned.go), as the last
	// read of each calendar (source, folder) found them.
	`CREATE TABLE planned (
		source  TEXT    NOT NULL,
		folder  TEXT    NOT NULL,
		contact TEXT    NOT NULL,
		start   INTEGER NOT NULL, -- Unix ms
		end     INTEGER NOT NULL, -- Unix ms
		written INTEGER NOT NULL  -- Unix ms: when a read first found it (LoggedSince)
	);
	CREATE INDEX planned_folder ON planned (source, folder);
	CREATE INDEX planned_contact ON planned (contact, start);`,
	// Fewer b-trees to write on a run that meets many people for the
	// first time: the people seen are kept by their key alone (a table
	// with a rowid kept a second b-tree, its key's index, beside it); the
	// indexes of the episodes by anchor hold only the rows that have one
	// (everyone has one of the two columns, rarely both, and a NULL was an
	// entry like any other). The reads by anchor (Reminders) name the
	// column with >= or =, which the indexes' condition follows from.
	`CREATE TABLE people_seen_v12 (
		contact    TEXT    PRIMARY KEY,
		first_seen INTEGER NOT NULL,
		turn       TEXT
	) WITHOUT ROWID;
	INSERT INTO people_seen_v12 (contact, first_seen, turn) SELECT contact, first_seen, turn FROM people_seen;
	DROP TABLE people_seen;
	ALTER TABLE people_seen_v12 RENAME TO people_seen;
	DROP INDEX episodes_anchor;
	DROP INDEX episodes_occ_anchor;
	CREATE INDEX episodes_anchor ON episodes (anchor) WHERE anchor IS NOT NULL;
	CREATE INDEX episodes_occ_anchor ON episodes (occ_anchor) WHERE occ_anchor IS NOT NULL;`,
}

// migrateWaiting is migrate for a state file that another process may be
// creating at the same moment (the daemon and a command started
// together). Turning a new file into WAL mode takes it whole, and the
// other process's first statement then fails at once with SQLITE_BUSY,
// without waiting out busy_timeout; it is tried again until that much
// time has passed.
func (j *Journal) migrateWaiting(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := j.migrate(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (j *Journal) migrate(ctx context.Context) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("state file has schema version %d, newer than this rekindle knows (%d); upgrade rekindle", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", i+1, err)
		}
	}
	if version < len(migrations) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
	}
	return tx.Commit()
}

// busyTimeout is how long a writer waits for another to finish.
const busyTimeout = 10 * time.Second

var busyPragma = "_pragma=busy_timeout(" + strconv.Itoa(int(busyTimeout.Milliseconds())) + ")"

func ms(t time.Time) int64 { return t.UnixMilli() }

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// Add checks an event against the limits (at Logged, set to now when
// zero), writes it and returns its id.
func (j *Journal) Add(ctx context.Context, e Event) (int64, error) {
	if e.Logged.IsZero() {
		e.Logged = time.Now()
	}
	if err := e.Check(e.Logged); err != nil {
		return 0, fmt.Errorf("add event: %w", err)
	}
	res, err := j.db.ExecContext(ctx,
		`INSERT INTO events (contact, kind, at, until, note, source, logged) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.Contact, string(e.Kind), ms(e.At), nullMS(e.Until), e.Note, e.Source, ms(e.Logged))
	if err != nil {
		return 0, fmt.Errorf("add event: %w", err)
	}
	return res.LastInsertId()
}

const eventColumns = `id, contact, kind, at, until, note, source, logged, coalesce(dedup, '')`

// queryEvents runs a query for events and reads them; what names the
// read in an error.
func (j *Journal) queryEvents(ctx context.Context, what, q string, args ...any) ([]Event, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at, logged int64
		var until sql.NullInt64
		var kind string
		if err := rows.Scan(&e.ID, &e.Contact, &kind, &at, &until, &e.Note, &e.Source, &logged, &e.Dedup); err != nil {
			return nil, err
		}
		e.Kind = Kind(kind)
		e.At = time.UnixMilli(at)
		e.Logged = time.UnixMilli(logged)
		if until.Valid {
			e.Until = time.UnixMilli(until.Int64)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Events returns every event, grouped by contact id, each group in time
// order (ties in the order they were logged), then the contact's meetings
// to come (kind Planned) in time order.
func (j *Journal) Events(ctx context.Context) (map[string][]Event, error) {
	all, err := j.queryEvents(ctx, "read events", `SELECT `+eventColumns+` FROM events ORDER BY contact, at, id`)
	if err != nil {
		return nil, err
	}
	out := map[string][]Event{}
	for i := 0; i < len(all); {
		k := i
		for k < len(all) && all[k].Contact == all[i].Contact {
			k++
		}
		out[all[i].Contact] = all[i:k:k]
		i = k
	}
	planned, err := j.planned(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, e := range planned {
		out[e.Contact] = append(out[e.Contact], e)
	}
	return out, nil
}

// EventsOf returns one contact's events in time order (ties in the order
// they were logged), then their meetings to come, as Events groups them.
func (j *Journal) EventsOf(ctx context.Context, contact string) ([]Event, error) {
	out, err := j.queryEvents(ctx, "read events", `SELECT `+eventColumns+` FROM events WHERE contact = ? ORDER BY at, id`, contact)
	if err != nil {
		return nil, err
	}
	planned, err := j.planned(ctx, contact)
	if err != nil {
		return nil, err
	}
	return append(out, planned...), nil
}

// History returns events newest first, for one contact or (contact "") for
// everyone; limit <= 0 means all.
func (j *Journal) History(ctx context.Context, contact string, limit int) ([]Event, error) {
	q := `SELECT ` + eventColumns + ` FROM events`
	var args []any
	if contact != "" {
		q += ` WHERE contact = ?`
		args = append(args, contact)
	}
	q += ` ORDER BY at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return j.queryEvents(ctx, "read history", q, args...)
}
