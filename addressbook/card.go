package addressbook

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/importer"
)

// mapCard makes a person of a card's text, as `rekindle import` makes one
// of a card in a file (importer: one mapping for both), with what only a
// source needs besides: the UID and the categories.
func mapCard(data string, now time.Time) (config.Card, error) {
	r, err := importer.Open(strings.NewReader(data), importer.Options{Now: now})
	if err != nil {
		return config.Card{}, err
	}
	p, err := r.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("no card in it")
		}
		return config.Card{}, err
	}
	c := config.Card{Name: p.Name, Called: p.Called, Emails: p.Emails, Phones: p.Phones, Occasions: p.Occasions, NotAPerson: p.NotAPerson}
	// The importer has read the card; what is read here again it does
	// not keep.
	if card, err := vcard.NewDecoder(strings.NewReader(data)).Decode(); err == nil {
		c.UID = strings.TrimSpace(card.Value(vcard.FieldUID))
		for _, f := range card[vcard.FieldCategories] {
			for _, k := range strings.Split(f.Value, ",") {
				if k = strings.TrimSpace(k); k != "" {
					c.Categories = append(c.Categories, k)
				}
			}
		}
	}
	return c, nil
}
