package addressbook

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// CardReader is what Load needs of the state file.
type CardReader interface {
	Cards(ctx context.Context, source string) ([]journal.Card, error)
}

// HasPeople reports whether the config has an address book source, so
// that a command without one need not open the state file for Load.
func HasPeople(cfg *config.Config) bool {
	for _, s := range cfg.Sources {
		if s.ReadsPeople() {
			return true
		}
	}
	return false
}

// Load adds to cfg the people of its address books as the state file
// keeps them from the last sync (config.AddCards: the file wins). Every
// command that reads people calls it right after loading the config.
func Load(ctx context.Context, cfg *config.Config, j CardReader) error {
	if !HasPeople(cfg) {
		return nil
	}
	stored, err := j.Cards(ctx, "")
	if err != nil {
		return err
	}
	cards, err := decode(stored)
	if err != nil {
		return err
	}
	cfg.AddCards(cards)
	return nil
}

func decode(stored []journal.Card) ([]config.Card, error) {
	cards := make([]config.Card, 0, len(stored))
	for _, s := range stored {
		c, err := decodeOne(s)
		if err != nil {
			return nil, err
		}
		cards = append(cards, c)
	}
	return cards, nil
}

func decodeOne(s journal.Card) (config.Card, error) {
	var c config.Card
	if err := json.Unmarshal(s.Person, &c); err != nil {
		return c, fmt.Errorf("the state file's card %s of the address book %s cannot be read: %v", s.Href, s.Source, err)
	}
	c.Source, c.UID, c.ID = s.Source, s.UID, s.Contact
	return c, nil
}

// Check reaches the source and finds its address books without reading a
// card: what `rekindle sync --check` reports. It returns their names.
func Check(ctx context.Context, src *config.Source) ([]string, error) {
	spec, ok := src.Spec.(*config.CardDAVSpec)
	if !ok {
		return nil, &Error{Source: src.Name, Msg: "is not an address book"}
	}
	c, err := newClient(src)
	if err != nil {
		return nil, err
	}
	books, err := c.books(ctx, spec.Books)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(books))
	for i, b := range books {
		names[i] = b.Name
	}
	return names, nil
}
