package radicaletest

import (
	"net/http"
	"strings"
	"testing"
)

// The server keeps what is put into it, for its own user only, and
// discovery from the bare host leads to the user's principal.
func TestRadicaleKeepsCardsAndEvents(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		s := Start(t, Options{TLS: tlsOn})
		book := s.MakeAddressBook(t, "contacts", "Contacts")
		etag := s.Put(t, book+"ana.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana\r\nEMAIL:ana@example.org\r\nEND:VCARD\r\n")
		if etag == "" {
			t.Errorf("TLS %v: no ETag for a new card", tlsOn)
		}
		cal := s.MakeCalendar(t, "meetings", "Meetings")
		s.Put(t, cal+"coffee.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:coffee-1\r\nDTSTAMP:20261201T100000Z\r\nDTSTART:20261204T100000Z\r\nDTEND:20261204T110000Z\r\nSUMMARY:Coffee\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		res := s.Do(t, "GET", book+"ana.vcf", "", "", http.StatusOK)
		if res.Header.Get("ETag") != etag {
			t.Errorf("TLS %v: ETag %q on GET, %q on PUT", tlsOn, res.Header.Get("ETag"), etag)
		}
		s.Delete(t, book+"ana.vcf")
		s.Do(t, "GET", book+"ana.vcf", "", "", http.StatusNotFound)
		// RFC 6764: /.well-known/carddav leads somewhere.
		res = s.Do(t, "PROPFIND", "/.well-known/carddav", "", "", 0)
		if res.StatusCode >= 400 && res.StatusCode != http.StatusMultiStatus {
			t.Errorf("TLS %v: well-known: %s", tlsOn, res.Status)
		}
		if tlsOn && !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("TLS on, URL %s", s.URL)
		}
	}
}
