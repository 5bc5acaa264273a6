package web

import (
	"strings"
	"testing"
)

// TestCalendarFeedWithNothingDue: when no one has a reminder in the window
// the feed is still a calendar, with no events, answered 200, so a
// subscribed calendar app keeps its subscription.
func TestCalendarFeedWithNothingDue(t *testing.T) {
	f := start(t)
	for _, id := range []string{"alice-moreau", "bob", "dana", "emil"} {
		if r := f.do(t, "POST", "/api/contacts/"+id+"/snooze", `{"duration":"1w"}`, true); r.status != 201 {
			t.Fatalf("snooze %s: %+v", id, r)
		}
	}
	r := f.do(t, "GET", "/calendar.ics?days=5", "", false)
	if r.status != 200 || !strings.HasPrefix(r.body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(r.body, "END:VCALENDAR\r\n") ||
		!strings.Contains(r.body, "\r\nVERSION:2.0\r\n") || strings.Contains(r.body, "VEVENT") {
		t.Errorf("an empty window: %d\n%s", r.status, r.body)
	}
}
