package addressbook

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Store is what a sync needs of the state file.
type Store interface {
	CardReader
	BookTokens(ctx context.Context, source string) (map[string]string, error)
	ApplyCards(ctx context.Context, source string, ch journal.CardChanges) error
}

var _ Store = (*journal.Journal)(nil)

// Change is a person a sync adds, changes or removes.
type Change struct {
	What string // "added", "changed" or "removed"
	ID   string
	Name string
	Was  string // the name before, when a change renamed them
}

// Result is what one sync did.
type Result struct {
	Books      int // address books read
	Read       int // cards read from the server
	Unreadable int // cards that are no vCard: left as they were
	Changes    []Change
}

// Sync reads one address book source once: what changed since the last
// sync (every card the first time), stored with the sync tokens in one
// transaction. With DryRun nothing is written, and Changes says what
// would change.
type Sync struct {
	Source *config.Source
	Store  Store
	Now    time.Time
	DryRun bool
}

// Run syncs the source once.
func (s *Sync) Run(ctx context.Context) (Result, error) {
	var res Result
	spec, ok := s.Source.Spec.(*config.CardDAVSpec)
	if !ok {
		return res, &Error{Source: s.Source.Name, Msg: "is not an address book"}
	}
	c, err := newClient(s.Source)
	if err != nil {
		return res, err
	}
	books, err := c.books(ctx, spec.Books)
	if err != nil {
		return res, err
	}
	res.Books = len(books)
	tokens, err := s.Store.BookTokens(ctx, s.Source.Name)
	if err != nil {
		return res, err
	}
	// The cards kept are read only when needed: a repeat sync where
	// every book says nothing changed reads none of them.
	var kept *keptCards
	loadKept := func() error {
		if kept != nil {
			return nil
		}
		all, err := s.Store.Cards(ctx, "")
		if err != nil {
			return err
		}
		kept = newKept(all, s.Source.Name)
		return nil
	}
	ch := journal.CardChanges{Tokens: map[string]string{}}
	var got []fetchedIn
	current := map[string]bool{}
	for _, b := range books {
		current[b.Key()] = true
		tok, known := tokens[b.Key()]
		var changed []fetched
		var removed []string
		whole := false // the answer lists every card of the book
		if !known || tok != "" {
			changed, removed, tok, err = c.changedSince(ctx, b, tok)
			if errors.Is(err, errBadToken) {
				changed, removed, tok, err = c.changedSince(ctx, b, "")
				known = false
			}
			whole = !known
		}
		if errors.Is(err, errNoSync) || (known && tok == "") {
			// No sync tokens here: the book's ETags against those kept.
			if err := loadKept(); err != nil {
				return res, err
			}
			changed, removed, err = s.byETag(ctx, c, b, kept)
			tok, whole = "", false
		}
		if err != nil {
			return res, err
		}
		if whole || len(removed) > 0 {
			if err := loadKept(); err != nil {
				return res, err
			}
		}
		if whole && kept != nil {
			// A card kept that the whole answer does not list is gone.
			listed := make(map[string]bool, len(changed))
			for _, f := range changed {
				listed[f.Href] = true
			}
			for h, k := range kept.byHref {
				if k.Book == b.Key() && !listed[h] {
					removed = append(removed, h)
				}
			}
		}
		var missing []string
		for _, f := range changed {
			if f.Data == "" {
				missing = append(missing, f.Href)
			}
		}
		if len(missing) > 0 {
			more, err := c.multiget(ctx, b, missing)
			if err != nil {
				return res, err
			}
			changed = slices.DeleteFunc(changed, func(f fetched) bool { return f.Data == "" })
			changed = append(changed, more...)
		}
		for _, f := range changed {
			got = append(got, fetchedIn{b.Key(), f})
		}
		ch.Removed = append(ch.Removed, removed...)
		ch.Tokens[b.Key()] = tok
	}
	for b := range tokens {
		if !current[b] {
			ch.Dropped = append(ch.Dropped, b)
		}
	}
	res.Read = len(got)
	if len(got) == 0 && len(ch.Removed) == 0 && len(ch.Dropped) == 0 {
		if !s.DryRun && !sameTokens(tokens, ch.Tokens) {
			return res, s.Store.ApplyCards(ctx, s.Source.Name, ch)
		}
		return res, nil
	}
	if err := loadKept(); err != nil {
		return res, err
	}
	before, err := kept.people(s.Source)
	if err != nil {
		return res, err
	}
	texts := make([]string, len(got))
	for i, g := range got {
		texts[i] = g.f.Data
	}
	for i, m := range mapCards(texts, s.Now) {
		g, card := got[i], m.card
		if m.err != nil {
			res.Unreadable++
			continue
		}
		if card.UID == "" {
			card.UID = g.f.Href // a card without a UID is known by its place
		}
		person, _ := json.Marshal(card)
		jc := journal.Card{Source: s.Source.Name, Href: g.f.Href, Book: g.book, UID: card.UID, ETag: g.f.ETag,
			Contact: kept.idFor(g.f.Href, card), Person: person}
		kept.put(jc)
		ch.Put = append(ch.Put, jc)
	}
	for _, h := range ch.Removed {
		kept.remove(h)
	}
	for _, b := range ch.Dropped {
		for h, k := range kept.byHref {
			if k.Book == b {
				kept.remove(h)
			}
		}
	}
	after, err := kept.people(s.Source)
	if err != nil {
		return res, err
	}
	res.Changes = diff(before, after)
	if s.DryRun {
		return res, nil
	}
	return res, s.Store.ApplyCards(ctx, s.Source.Name, ch)
}

type fetchedIn struct {
	book string
	f    fetched
}

// byETag reads a book that keeps no sync tokens: its cards' ETags, then
// the text of those new or changed since the last read.
func (s *Sync) byETag(ctx context.Context, c *client, b book, kept *keptCards) ([]fetched, []string, error) {
	tags, err := c.etags(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	var want, removed []string
	for h, tag := range tags {
		if k, ok := kept.byHref[h]; !ok || k.ETag != tag {
			want = append(want, h)
		}
	}
	for h, k := range kept.byHref {
		if _, ok := tags[h]; !ok && k.Book == b.Key() {
			removed = append(removed, h)
		}
	}
	slices.Sort(want)
	got, err := c.multiget(ctx, b, want)
	return got, removed, err
}

func sameTokens(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// keptCards is the state file's cards during a sync: this source's by
// href and by UID, and every person id given (of every source).
type keptCards struct {
	source string
	byHref map[string]journal.Card
	byUID  map[string]string // UID → id
	taken  map[string]bool
}

func newKept(all []journal.Card, source string) *keptCards {
	k := &keptCards{source: source, byHref: map[string]journal.Card{}, byUID: map[string]string{}, taken: map[string]bool{}}
	for _, c := range all {
		k.taken[c.Contact] = true
		if c.Source == source {
			k.byHref[c.Href] = c
			k.byUID[c.UID] = c.Contact
		}
	}
	return k
}

func (k *keptCards) put(c journal.Card) {
	k.byHref[c.Href] = c
	k.byUID[c.UID] = c.Contact
	k.taken[c.Contact] = true
}

func (k *keptCards) remove(href string) { delete(k.byHref, href) }

// idFor is the person id of a card: the one it had (by its place, else by
// its UID: a card moved keeps its person), else one made of the name as
// the config makes it, unique among the address books' people.
func (k *keptCards) idFor(href string, card config.Card) string {
	if c, ok := k.byHref[href]; ok && c.UID == card.UID {
		return c.Contact
	}
	if id, ok := k.byUID[card.UID]; ok {
		return id
	}
	base := config.Slug(card.Name)
	if base == "" && len(card.Emails) > 0 {
		base = config.Slug(strings.ReplaceAll(card.Emails[0], "@", " at "))
	}
	if base == "" {
		base = "card"
	}
	id := base
	for n := 2; k.taken[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	k.taken[id] = true
	return id
}

// people are the persons this source's cards make, by id, each with its
// text to compare.
func (k *keptCards) people(src *config.Source) (map[string]personText, error) {
	out := make(map[string]personText, len(k.byHref))
	for _, jc := range k.byHref {
		c, err := decodeOne(jc)
		if err != nil {
			return nil, err
		}
		if c.Taken(src) {
			c.Categories = nil // a category is no part of the person
			b, _ := json.Marshal(c)
			out[c.ID] = personText{c.Name, b}
		}
	}
	return out, nil
}

type personText struct {
	name string
	text []byte
}

// diff lists who is added, changed and removed from before to after, in
// that order, each by name.
func diff(before, after map[string]personText) []Change {
	var out []Change
	for id, a := range after {
		b, ok := before[id]
		switch {
		case !ok:
			out = append(out, Change{What: "added", ID: id, Name: a.name})
		case !bytes.Equal(a.text, b.text):
			c := Change{What: "changed", ID: id, Name: a.name}
			if a.name != b.name {
				c.Was = b.name
			}
			out = append(out, c)
		}
	}
	for id, b := range before {
		if _, ok := after[id]; !ok {
			out = append(out, Change{What: "removed", ID: id, Name: b.name})
		}
	}
	order := map[string]int{"added": 0, "changed": 1, "removed": 2}
	slices.SortFunc(out, func(x, y Change) int {
		if d := order[x.What] - order[y.What]; d != 0 {
			return d
		}
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.ID, y.ID))
	})
	return out
}
