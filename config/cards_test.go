package config

import (
	"slices"
	"testing"

	"github.com/rekindle/rekindle/rules"
)

// The file wins: a [[contact]] with a card's id or one of its addresses
// keeps its name and settings and takes from the card what it does not
// say; any other card is a person with the defaults; a card of a source
// the config does not have, one outside only_category and a company's
// card are nobody.
func TestAddCards(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(`
[defaults]
every = "6w"

[groups.close]
every = "2w"

[sources.phone]
type = "carddav"
url = "https://cloud.example.org"
username = "me"
password = "pw"
only_category = "rekindle"

[[contact]]
name = "Ana"
email = ["ANA@example.org"]
group = "close"
phone = ["+49 30 1"]
notes = "climbing"

[[contact]]
id = "bo-berg"
name = "Bo B."
paused = true
`))
	if err != nil {
		t.Fatal(err)
	}
	bday := rules.Occasion{Name: "birthday", Year: 1990, Month: 4, Day: 12}
	mark := []string{"Family", "Rekindle"}
	cfg.AddCards([]Card{
		{Source: "phone", UID: "1", ID: "ana-lima", Name: "Ana Lima", Called: "Ana", Emails: []string{"ana@example.org", "ana@work.example"},
			Phones: []string{"+49 30 1", "+49 170 2"}, Occasions: []rules.Occasion{bday}, Categories: mark},
		{Source: "phone", UID: "2", ID: "bo-berg", Name: "Bo Berg", Emails: []string{"bo@example.org"}, Categories: mark},
		{Source: "phone", UID: "3", ID: "cy-dahl", Name: "Cy Dahl", Categories: mark},
		{Source: "phone", UID: "4", ID: "di", Name: "Di", Categories: []string{"work"}},
		{Source: "phone", UID: "5", ID: "acme", Name: "Acme", Categories: mark, NotAPerson: "a company's card"},
		{Source: "gone", UID: "6", ID: "ed", Name: "Ed"},
	})
	var ids []string
	for _, c := range cfg.Contacts {
		ids = append(ids, c.ID)
	}
	if want := []string{"ana", "bo-berg", "cy-dahl"}; !slices.Equal(ids, want) {
		t.Fatalf("people %v, want %v", ids, want)
	}
	ana, _ := cfg.Lookup("ana")
	if ana.Name != "Ana" || ana.Group != "close" || ana.Settings.Every.Days != 14 || ana.Notes != "climbing" ||
		!slices.Equal(ana.Emails, []string{"ANA@example.org", "ana@work.example"}) ||
		!slices.Equal(ana.Phones, []string{"+49 30 1", "+49 170 2"}) || !slices.Equal(ana.Dates.Occasions, []rules.Occasion{bday}) {
		t.Errorf("Ana, in the file and on the card: %+v", ana)
	}
	bo, _ := cfg.Lookup("bo-berg")
	if bo.Name != "Bo B." || !bo.Dates.Paused || !slices.Equal(bo.Emails, []string{"bo@example.org"}) {
		t.Errorf("Bo, by id: %+v", bo)
	}
	cy, _ := cfg.Lookup("cy-dahl")
	if cy.Settings.Every.Days != 42 || !slices.Equal(cy.Channels, []string{ConsoleChannel}) {
		t.Errorf("Cy, from the card alone: every %v, channels %v", cy.Settings.Every, cy.Channels)
	}
	for id, want := range map[string]string{"ana": "c.toml and the address book phone", "bo-berg": "c.toml and the address book phone", "cy-dahl": "the address book phone"} {
		if got := cfg.From(id); got != want {
			t.Errorf("From(%s) = %q, want %q", id, got, want)
		}
	}
}
