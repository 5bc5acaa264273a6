package scheduler

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rekindle/rekindle/rules"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "Alice", "Zoë \"the\" \\ one", "tab\there\nnew\rline", "\x00\x1f", "\u2028\u2029", "\xff\xfe bad", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, b, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q round-trips to %q", s, back)
		}
		want, _ := json.Marshal(s)
		var viaStd string
		json.Unmarshal(want, &viaStd)
		if back != viaStd {
			t.Fatalf("%q decodes to %q; encoding/json gives %q", s, back, viaStd)
		}
	})
}

func TestStatusJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Europe/Berlin")
	s := Status{ID: "zoë", Name: "Zoë \"Z\"", State: rules.Due, Kind: rules.CheckIn,
		LastInteraction: time.Date(2026, 10, 20, 0, 0, 0, 0, loc), Reason: "line\nbreak",
		Occasion: "moved \"here\"", OccasionDay: time.Date(2027, 1, 2, 0, 0, 0, 0, loc), Years: 3}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"zoë","name":"Zoë \"Z\"","state":"due","kind":"check_in","last_interaction":"2026-10-20T00:00:00+02:00","next":null,"reason":"line\nbreak","next_occasion":{"name":"moved \"here\"","date":"2027-01-02","years":3}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
