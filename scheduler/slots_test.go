package scheduler

import (
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// slots lists the runs from from (exclusive) to until (inclusive).
func slots(t *testing.T, spec string, loc *time.Location, from, until time.Time) []time.Time {
	t.Helper()
	s, err := config.ParseSchedule(spec)
	if err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for n := NextSlot(s, from, loc); !n.IsZero() && !n.After(until); n = NextSlot(s, n, loc) {
		out = append(out, n)
		if len(out) > 1000 {
			t.Fatal("runaway")
		}
	}
	return out
}

func TestNextSlotDST(t *testing.T) {
	t.Parallel()
	type run struct{ wall, zone string }
	tests := []struct {
		name     string
		zone     string
		spec     string
		from     string // local wall time
		days     int
		want     []run
		countDay string // a day that must have exactly one run
	}{
		{
			name: "New York spring forward, slot inside the gap runs once at 03:30",
			zone: "America/New_York", spec: "30 2 * * *", from: "2026-03-07 00:00", days: 3,
			want: []run{{"2026-03-07 02:30", "EST"}, {"2026-03-08 03:30", "EDT"}, {"2026-03-09 02:30", "EDT"}},
		},
		{
			name: "New York fall back, slot in the repeated hour runs once",
			zone: "America/New_York", spec: "30 1 * * *", from: "2026-10-31 00:00", days: 3,
			want: []run{{"2026-10-31 01:30", "EDT"}, {"2026-11-01 01:30", "EDT"}, {"2026-11-02 01:30", "EST"}},
		},
		{
			name: "New York morning slot unaffected",
			zone: "America/New_York", spec: "0 9 * * *", from: "2026-10-31 00:00", days: 3,
			want: []run{{"2026-10-31 09:00", "EDT"}, {"2026-11-01 09:00", "EST"}, {"2026-11-02 09:00", "EST"}},
		},
		{
			name: "Berlin spring forward at 02:15",
			zone: "Europe/Berlin", spec: "15 2 * * *", from: "2026-03-28 12:00", days: 3,
			want: []run{{"2026-03-29 03:15", "CEST"}, {"2026-03-30 02:15", "CEST"}, {"2026-03-31 02:15", "CEST"}},
		},
		{
			name: "Berlin fall back at 02:30",
			zone: "Europe/Berlin", spec: "30 2 * * *", from: "2026-10-24 12:00", days: 3,
			want: []run{{"2026-10-25 02:30", "CEST"}, {"2026-10-26 02:30", "CET"}, {"2026-10-27 02:30", "CET"}},
		},
		{
			name: "Berlin hourly across fall back runs each wall hour once",
			zone: "Europe/Berlin", spec: "0 * * * *", from: "2026-10-25 00:30", days: 0,
			want: []run{{"2026-10-25 01:00", "CEST"}, {"2026-10-25 02:00", "CEST"}, {"2026-10-25 03:00", "CET"}},
		},
		{
			name: "CRON_TZ overrides the configured zone",
			zone: "Europe/Berlin", spec: "CRON_TZ=America/New_York 0 9 * * *", from: "2026-11-30 00:00", days: 1,
			want: []run{{"2026-11-30 15:00", "CET"}},
		},
		{
			name: "optional seconds field",
			zone: "UTC", spec: "30 0 9 * * *", from: "2026-11-30 00:00", days: 1,
			want: []run{{"2026-11-30 09:00", "UTC"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			from, _ := time.ParseInLocation("2006-01-02 15:04", tt.from, loc)
			until := from.AddDate(0, 0, tt.days)
			if tt.days == 0 {
				until = from.Add(4 * time.Hour)
			}
			got := slots(t, tt.spec, loc, from, until.Add(-time.Second))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d runs %v; want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				if g := got[i].Format("2006-01-02 15:04"); g != w.wall && tt.spec != "30 0 9 * * *" {
					t.Errorf("run %d at %s; want %s", i, g, w.wall)
				}
				if z, _ := got[i].Zone(); z != w.zone {
					t.Errorf("run %d in %s; want %s", i, z, w.zone)
				}
			}
		})
	}
}

func TestNextSlotEvery(t *testing.T) {
	t.Parallel()
	loc := zone(t, "Europe/Berlin")
	from := time.Date(2026, 11, 30, 10, 0, 0, 0, loc)
	got := slots(t, "@every 6h", loc, from, from.Add(24*time.Hour))
	if len(got) != 4 || !got[0].Equal(from.Add(6*time.Hour)) {
		t.Errorf("@every 6h over a day: %v", got)
	}
}

func TestDeliverAt(t *testing.T) {
	t.Parallel()
	loc := zone(t, "Europe/Berlin")
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
		return v
	}
	wrap, _ := config.ParseQuietHours("22:00-08:00")
	day, _ := config.ParseQuietHours("12:00-14:00")
	tests := []struct {
		q        config.QuietHours
		in, want string
	}{
		{config.QuietHours{}, "2026-11-30 23:00", "2026-11-30 23:00"},
		{wrap, "2026-11-30 21:59", "2026-11-30 21:59"},
		{wrap, "2026-11-30 22:00", "2026-12-01 08:00"},
		{wrap, "2026-11-30 23:59", "2026-12-01 08:00"},
		{wrap, "2026-12-01 03:00", "2026-12-01 08:00"},
		{wrap, "2026-12-01 08:00", "2026-12-01 08:00"},
		{wrap, "2026-12-31 23:00", "2027-01-01 08:00"},
		{wrap, "2026-03-28 23:00", "2026-03-29 08:00"}, // across spring forward
		{day, "2026-11-30 12:30", "2026-11-30 14:00"},
		{day, "2026-11-30 14:00", "2026-11-30 14:00"},
	}
	for _, tt := range tests {
		got := deliverTime(tt.q, at(tt.in))
		if !got.Equal(at(tt.want)) {
			t.Errorf("deliverTime(%v, %s) = %s; want %s", tt.q, tt.in, got.Format("2006-01-02 15:04"), tt.want)
		}
	}
}
