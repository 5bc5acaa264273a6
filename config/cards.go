package config

import (
	"slices"
	"strings"

	"github.com/rekindle/rekindle/rules"
)

// Card is a person as an address book source holds them: what the card
// says, mapped as `rekindle import` maps a vCard, with the id the person
// was given when the card was first read.
type Card struct {
	Source string `json:"-"` // the [sources.NAME] it came from
	// UID is the card's own key: a rename on the phone keeps it, so the
	// person keeps ID and their history.
	UID        string           `json:"-"`
	ID         string           `json:"-"`
	Name       string           `json:"name"`
	Called     string           `json:"called,omitempty"`
	Emails     []string         `json:"emails,omitempty"`
	Phones     []string         `json:"phones,omitempty"`
	Occasions  []rules.Occasion `json:"occasions,omitempty"`
	Categories []string         `json:"categories,omitempty"`
	// NotAPerson says why the card is nobody to keep in touch with (a
	// company's card, a group); "" for a person.
	NotAPerson string `json:"not_a_person,omitempty"`
}

// Taken reports whether the card is one of the people its source takes:
// a person with a name, in the only_category when the source has one.
func (c *Card) Taken(s *Source) bool {
	spec, ok := s.Spec.(*CardDAVSpec)
	if !ok || c.NotAPerson != "" || strings.TrimSpace(c.Name) == "" {
		return false
	}
	if spec.OnlyCategory == "" {
		return true
	}
	return slices.ContainsFunc(c.Categories, func(k string) bool { return strings.EqualFold(strings.TrimSpace(k), spec.OnlyCategory) })
}

// AddCards adds the people of the address book sources to the config;
// every command calls it (through the journal, which keeps the cards)
// right after loading the config, so that all see the same people.
//
// The file wins: a [[contact]] with the card's id or one of its email
// addresses stays as written, and takes from the card only what it does
// not say itself (the other addresses and numbers, the occasions, what you
// call them). Any other card is a person of its own with the [defaults].
// Cards of a source the config no longer has, or that its only_category
// leaves out, are not people.
func (c *Config) AddCards(cards []Card) {
	if len(cards) == 0 {
		return
	}
	if c.ids == nil {
		c.ids = map[string]int{}
	}
	if c.from == nil {
		c.from, c.files = map[string]string{}, len(c.Contacts)
	}
	byEmail := map[string]int{}
	for i := range c.Contacts {
		for _, e := range c.Contacts[i].Emails {
			byEmail[strings.ToLower(e)] = i
		}
	}
	for k := range cards {
		card := &cards[k]
		src := c.Sources[card.Source]
		if src == nil || !card.Taken(src) {
			continue
		}
		i, found := c.ids[card.ID]
		for _, e := range card.Emails {
			if found {
				break
			}
			i, found = byEmail[strings.ToLower(e)]
		}
		if found {
			c.Contacts[i].fillFrom(card)
			c.from[c.Contacts[i].ID] = card.Source
			continue
		}
		if card.ID == "" {
			continue
		}
		c.Contacts = append(c.Contacts, Contact{
			ID: card.ID, Name: card.Name, Called: card.Called,
			Emails: slices.Clone(card.Emails), Phones: slices.Clone(card.Phones),
			Settings: c.Defaults, Channels: c.defaultChannels,
			Dates: rules.Contact{Occasions: slices.Clone(card.Occasions)},
		})
		i = len(c.Contacts) - 1
		c.ids[card.ID] = i
		c.from[card.ID] = card.Source
		for _, e := range card.Emails {
			if _, ok := byEmail[strings.ToLower(e)]; !ok {
				byEmail[strings.ToLower(e)] = i
			}
		}
	}
}

// fillFrom adds to a contact of the file what a card says and it does not.
func (ct *Contact) fillFrom(card *Card) {
	for _, e := range card.Emails {
		if !slices.ContainsFunc(ct.Emails, func(x string) bool { return strings.EqualFold(x, e) }) {
			ct.Emails = append(ct.Emails, e)
		}
	}
	for _, p := range card.Phones {
		if !slices.Contains(ct.Phones, p) {
			ct.Phones = append(ct.Phones, p)
		}
	}
	for _, o := range card.Occasions {
		if !slices.ContainsFunc(ct.Dates.Occasions, func(x rules.Occasion) bool { return strings.EqualFold(x.Name, o.Name) }) {
			ct.Dates.Occasions = append(ct.Dates.Occasions, o)
		}
	}
	if ct.Called == "" {
		ct.Called = card.Called
	}
}

// From says where the person with this id comes from, as `check` names
// it: the file, an address book, or both (the file's settings on top of
// the card).
func (c *Config) From(id string) string {
	i, ok := c.ids[id]
	if !ok {
		return ""
	}
	src, card := c.from[id]
	if !card {
		file, _ := c.source(i)
		return file
	}
	if i < c.fileContacts() {
		file, _ := c.source(i)
		return file + " and the address book " + src
	}
	return "the address book " + src
}

// fileContacts is how many of Contacts the config's files hold; the
// address books' people come after them.
func (c *Config) fileContacts() int {
	if c.from == nil {
		return len(c.Contacts)
	}
	return c.files
}
