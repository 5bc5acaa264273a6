package journal

import (
	"context"
	"database/sql"
)

// insertChunked writes rows with multi-row INSERTs of size rows each:
// far fewer round trips through database/sql than one statement a row.
// When there is more than one chunk, the statement for a whole chunk is
// prepared once (SQLite parses a long INSERT once, not once a chunk); the
// last, shorter chunk has its own. sqlFor is the statement for n rows;
// appendRow appends one row's values to args. It returns the rows the
// statements affected, and on an error the size of the chunk it failed on.
func insertChunked[T any](ctx context.Context, tx *sql.Tx, rows []T, size int, sqlFor func(n int) string, appendRow func(args []any, row T) []any) (affected int, failed int, err error) {
	var full *sql.Stmt
	if len(rows) > size {
		if full, err = tx.PrepareContext(ctx, sqlFor(size)); err != nil {
			return 0, 0, err
		}
		defer full.Close()
	}
	var args []any
	for len(rows) > 0 {
		chunk := rows[:min(size, len(rows))]
		rows = rows[len(chunk):]
		args = args[:0]
		for _, r := range chunk {
			args = appendRow(args, r)
		}
		var res sql.Result
		if full != nil && len(chunk) == size {
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = tx.ExecContext(ctx, sqlFor(len(chunk)), args...)
		}
		if err != nil {
			return affected, len(chunk), err
		}
		k, _ := res.RowsAffected()
		affected += int(k)
	}
	return affected, 0, nil
}
