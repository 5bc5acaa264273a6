package journal

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// versionConn is the connection Version asks on. SQLite's data_version is
// per connection and changes when another connection commits, so it is
// asked on one connection kept for it, which never writes: then every
// commit, by this process's other connections or by another process (the
// command line), changes it.
type versionConn struct {
	mu   sync.Mutex
	conn *sql.Conn
}

// Version is a number that changes whenever anything is committed to the
// state file, by this process or another, so that a reader may keep what
// it made of the file until it changes (the server's API and calendar
// feed). It is only good for comparing with an earlier Version of the same
// Journal: a new process starts anew. Ask it before reading, so that what
// is read is at least as new as the number says. Not for a journal of
// OpenReadOnly on a missing file: its one connection would be taken.
func (j *Journal) Version(ctx context.Context) (int64, error) {
	v := &j.version
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn == nil {
		c, err := j.db.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("read the state file's version: %w", err)
		}
		v.conn = c
	}
	var n int64
	if err := v.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&n); err != nil {
		// A broken connection is dropped; the next call takes another.
		v.conn.Close()
		v.conn = nil
		return 0, fmt.Errorf("read the state file's version: %w", err)
	}
	return n, nil
}

func (v *versionConn) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.conn.Close()
		v.conn = nil
	}
}
