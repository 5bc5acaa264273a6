package rules

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want Duration
		err  string
	}{
		{in: "0", want: Duration{}},
		{in: "36h", want: Duration{Clock: 36 * time.Hour}},
		{in: "2d", want: Duration{Days: 2}},
		{in: "3w", want: Duration{Days: 21}},
		{in: "1w2d12h", want: Duration{Days: 9, Clock: 12 * time.Hour}},
		{in: "0d", want: Duration{}},
		{in: "", err: "empty duration"},
		{in: "3x", err: `unknown unit "x"`},
		{in: "30", err: `missing unit after 30`},
		{in: "d", err: "expected a number"},
		{in: "2 d", err: `unknown unit " d"`},
		{in: "-2d", err: "expected a number"},
		{in: "1.5d", err: `unknown unit "."`},
		{in: "2d3d", err: `unit "d" given twice`},
		{in: "3m", err: `unknown unit "m"`},
		{in: "9999999d", err: "number too large"},
		{in: "999999w", err: "longer than"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDuration(%q) error = %v; want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestDurationStringRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "36h", "2d", "3w", "1w2d12h", "10d", "1h"} {
		d, err := ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("%q -> %q -> %+v, %v", s, d.String(), back, err)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "36h", "2d", "3w", "1w2d12h", "3x", "", "99999999999999999999d", "1d1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != (Duration{}) {
				t.Errorf("error with a non-zero duration %+v", d)
			}
			return
		}
		if d.Days < 0 || d.Clock < 0 || d.Days > 2*maxDays {
			t.Errorf("ParseDuration(%q) = %+v: out of range", s, d)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back.Approx() != d.Approx() {
			t.Errorf("round trip of %q: %q -> %+v, %v", s, d.String(), back, err)
		}
		_ = d.After(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}

func TestDurationHuman(t *testing.T) {
	for in, want := range map[string]string{"2w": "2 weeks", "90d": "90 days", "1d": "1 day", "36h": "36 hours", "1d12h": "1 day 12 hours", "0": "0 days", "1w": "1 week"} {
		d, _ := ParseDuration(in)
		if got := d.Human(); got != want {
			t.Errorf("%s: Human() = %q; want %q", in, got, want)
		}
	}
}
