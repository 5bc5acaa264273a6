package config

import (
	"strings"
	"testing"
)

// TestCalledAndExtensions: called = "..." is read (and an empty one is a
// problem at its line), and a phone number may end in an extension in
// the forms import writes and people type.
func TestCalledAndExtensions(t *testing.T) {
	cfg, err := Parse("people.toml", []byte(`[[contact]]
name = "Dr. Robert Smith"
called = "Bob"
phone = ["+1 (555) 555-0101 ext. 89", "+1 425 555 0100 x12", "+1-555-555-0100;ext=102", "030 1234567"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.Contacts[0]; c.Called != "Bob" || len(c.Phones) != 4 {
		t.Errorf("got called %q, phones %q", c.Called, c.Phones)
	}
	for _, tc := range []struct{ toml, says string }{
		{"called = \"  \"", `3:1: contact[0] (Ana).called: called is empty`},
		{`phone = ["+1 555 0100 ext."]`, "is not a phone number"},
		{`phone = ["ext. 12"]`, "is not a phone number"},
		{`phone = ["+1 555 0100 call after 6"]`, "is not a phone number"},
	} {
		_, err := Parse("people.toml", []byte("[[contact]]\nname = \"Ana\"\n"+tc.toml+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want %q", tc.toml, err, tc.says)
		}
	}
	for _, tc := range []struct{ in, number, ext string }{
		{"+1 (555) 555-0101 ext. 89", "+1 (555) 555-0101", "89"},
		{"+1 425 555 0100 x12", "+1 425 555 0100", "12"},
		{"+1-555-555-0100;ext=102", "+1-555-555-0100", "102"},
		{"+1 555 0100, Ext 7", "+1 555 0100", "7"},
		{"+49 30 1234567", "+49 30 1234567", ""},
	} {
		if n, e := SplitPhone(tc.in); n != tc.number || e != tc.ext {
			t.Errorf("SplitPhone(%q) = %q, %q; want %q, %q", tc.in, n, e, tc.number, tc.ext)
		}
	}
}
