package addressbook

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/importer"
)

// mapped is a card's person, or why the card is none.
type mapped struct {
	card config.Card
	err  error
}

// mapCards makes a person of each card's text, as `rekindle import` makes
// one of each card of a file: the cards are read as one file, by the
// importer's reader (one mapping for both, and one reader's buffer for a
// read of 10,000 cards, not one each). What only a source needs besides,
// the UID and the categories, is read here.
func mapCards(texts []string, now time.Time) []mapped {
	out := make([]mapped, len(texts))
	var file strings.Builder
	n := 0
	for _, t := range texts {
		n += len(t) + 2
	}
	file.Grow(n)
	at := map[int]int{} // the line a card starts on in file → its index
	line := 1
	for i, t := range texts {
		t = strings.TrimLeft(t, " \t\r\n")
		if len(t) < 11 || !strings.EqualFold(t[:11], "BEGIN:VCARD") {
			out[i].err = errors.New("not a vCard")
			continue
		}
		if !strings.HasSuffix(t, "\n") {
			t += "\r\n"
		}
		at[line] = i
		line += strings.Count(t, "\n")
		file.WriteString(t)
	}
	done := make([]bool, len(texts))
	r, err := importer.Open(strings.NewReader(file.String()), importer.Options{Now: now})
	for err == nil {
		var p importer.Person
		p, err = r.Next()
		if err != nil {
			break
		}
		i, ok := at[p.Line]
		if !ok {
			err = errors.New("a card the reader placed elsewhere")
			break
		}
		out[i].card, done[i] = fromPerson(p, texts[i]), true
	}
	if !errors.Is(err, io.EOF) {
		// A card the reader cannot read ends the file: the rest are read
		// one by one, so that the bad one alone is left out.
		for i := range texts {
			if !done[i] && out[i].err == nil {
				out[i] = mapOne(texts[i], now)
			}
		}
	}
	return out
}

func mapOne(text string, now time.Time) mapped {
	r, err := importer.Open(strings.NewReader(strings.TrimLeft(text, " \t\r\n")), importer.Options{Now: now})
	if err != nil {
		return mapped{err: err}
	}
	p, err := r.Next()
	if errors.Is(err, io.EOF) {
		err = errors.New("no card in it")
	}
	if err != nil {
		return mapped{err: err}
	}
	return mapped{card: fromPerson(p, text)}
}

func fromPerson(p importer.Person, text string) config.Card {
	c := config.Card{Name: p.Name, Called: p.Called, Emails: p.Emails, Phones: p.Phones, Occasions: p.Occasions, NotAPerson: p.NotAPerson}
	c.UID, c.Categories = uidAndCategories(text)
	return c
}

// uidAndCategories reads a card's UID and CATEGORIES, which the importer
// has no use for: the lines unfolded, a group's prefix (item1.) dropped,
// the categories split at commas that are not escaped.
func uidAndCategories(text string) (uid string, categories []string) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
			i++
			l += lines[i][1:]
		}
		head, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(head, ";")
		if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
			name = name[dot+1:]
		}
		switch strings.ToUpper(name) {
		case "UID":
			if uid == "" {
				uid = strings.TrimSpace(value)
			}
		case "CATEGORIES":
			for _, k := range splitUnescaped(value) {
				if k = strings.TrimSpace(k); k != "" {
					categories = append(categories, k)
				}
			}
		}
	}
	return uid, categories
}

func splitUnescaped(v string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case v[i] == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(v[i])
		}
	}
	return append(out, b.String())
}
