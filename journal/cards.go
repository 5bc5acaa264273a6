package journal

import (
	"context"
	"fmt"
)

// Card is one card of an address book source as the state file keeps it:
// the person it maps to (Person, the source type's own JSON) under the id
// they were given when it was first read (Contact), found again by the
// card's UID.
type Card struct {
	Source, Href, Book, UID, ETag, Contact string
	Person                                 []byte
}

// Cards returns the cards kept for source, or for every source when
// source is "".
func (j *Journal) Cards(ctx context.Context, source string) ([]Card, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT source, href, book, uid, etag, contact, person FROM cards
		WHERE ? = '' OR source = ? ORDER BY source, contact`, source, source)
	if err != nil {
		return nil, fmt.Errorf("read the address books' cards: %w", err)
	}
	defer rows.Close()
	var out []Card
	for rows.Next() {
		var c Card
		if err := rows.Scan(&c.Source, &c.Href, &c.Book, &c.UID, &c.ETag, &c.Contact, &c.Person); err != nil {
			return nil, fmt.Errorf("read the address books' cards: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the address books' cards: %w", err)
	}
	return out, nil
}

// BookTokens returns the sync token of each address book of source read
// before ("" where the server gave none).
func (j *Journal) BookTokens(ctx context.Context, source string) (map[string]string, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT book, token FROM card_books WHERE source = ?`, source)
	if err != nil {
		return nil, fmt.Errorf("read the address books' sync tokens: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var b, t string
		if err := rows.Scan(&b, &t); err != nil {
			return nil, fmt.Errorf("read the address books' sync tokens: %w", err)
		}
		out[b] = t
	}
	return out, rows.Err()
}

// CardChanges is what one read of an address book source changes: the
// cards put (new or changed), those removed (by href), the books read
// with their new tokens, and the books no longer read (their cards go).
type CardChanges struct {
	Put     []Card
	Removed []string
	Tokens  map[string]string
	Dropped []string
}

// ApplyCards writes the changes of one read of source in one transaction:
// a crash leaves the state of the read before, which the next read
// starts from.
func (j *Journal) ApplyCards(ctx context.Context, source string, ch CardChanges) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store the address book's cards: %w", err)
	}
	defer tx.Rollback()
	for _, b := range ch.Dropped {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cards WHERE source = ? AND book = ?`, source, b); err != nil {
			return fmt.Errorf("store the address book's cards: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_books WHERE source = ? AND book = ?`, source, b); err != nil {
			return fmt.Errorf("store the address book's cards: %w", err)
		}
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM cards WHERE source = ? AND href = ?`)
	if err != nil {
		return fmt.Errorf("store the address book's cards: %w", err)
	}
	defer del.Close()
	for _, h := range ch.Removed {
		if _, err := del.ExecContext(ctx, source, h); err != nil {
			return fmt.Errorf("store the address book's cards: %w", err)
		}
	}
	put, err := tx.PrepareContext(ctx, `INSERT INTO cards (source, href, book, uid, etag, contact, person) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, href) DO UPDATE SET book = excluded.book, uid = excluded.uid, etag = excluded.etag,
		contact = excluded.contact, person = excluded.person`)
	if err != nil {
		return fmt.Errorf("store the address book's cards: %w", err)
	}
	defer put.Close()
	for _, c := range ch.Put {
		if _, err := put.ExecContext(ctx, source, c.Href, c.Book, c.UID, c.ETag, c.Contact, c.Person); err != nil {
			return fmt.Errorf("store the address book's cards: %w", err)
		}
	}
	for b, t := range ch.Tokens {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_books (source, book, token) VALUES (?, ?, ?)
			ON CONFLICT (source, book) DO UPDATE SET token = excluded.token`, source, b, t); err != nil {
			return fmt.Errorf("store the address book's cards: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store the address book's cards: %w", err)
	}
	return nil
}
