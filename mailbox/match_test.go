package mailbox

import (
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

const people = `[[contact]]
name = "Ana Lima"
email = ["ana@example.org", "Ana.Lima@gmail.com"]
[[contact]]
name = "Bo"
email = ["bo@example.net"]
[[contact]]
name = "Cy"
`

func index(t testing.TB) *People {
	t.Helper()
	cfg, err := config.Parse("people.toml", []byte(people))
	if err != nil {
		t.Fatal(err)
	}
	return NewPeople(cfg)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Ana@Example.ORG":          "ana@example.org",
		"ana+rekindle@example.org": "ana@example.org",
		"a.n.a.lima@gmail.com":     "analima@gmail.com",
		"AnaLima+x@googlemail.com": "analima@gmail.com",
		"first.last@example.org":   "first.last@example.org", // dots count outside Gmail
		"+tag@example.org":         "+tag@example.org",       // a local part that is all tag stays
		"no-at-sign":               "",
		"a@b@c":                    "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	p := index(t)
	date := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	h := func(from, to, cc string) Header {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		return Header{From: split(from), To: split(to), Cc: split(cc), Date: date, MessageID: "<m1@example.org>"}
	}
	tests := []struct {
		name string
		h    Header
		role Role
		want string // "contact kind, ..." or "ignored: reason"
	}{
		{"a reply", h("ana@example.org", "me@home.example", ""), Inbox, "ana-lima replied"},
		{"a reply from a Gmail alias", h("ana.lima+lists@googlemail.com", "me@home.example", ""), Inbox, "ana-lima replied"},
		{"a stranger", h("x@example.org", "me@home.example", ""), Inbox, "ignored: not from anyone in the config"},
		{"an outreach to two, one named twice", h("me@home.example", "ana@example.org,bo@example.net", "ANA@example.org"), Sent, "ana-lima reached-out, bo reached-out"},
		{"sent to nobody known", h("me@home.example", "x@example.org", ""), Sent, "ignored: to nobody in the config"},
		{"a reply to a group of six", h("ana@example.org", "a@x.org,b@x.org,c@x.org", "d@x.org,e@x.org,f@x.org"), Inbox, "ignored: sent to 6 people (more than max_recipients = 5)"},
		{"a mailing list", func() Header {
			x := h("ana@example.org", "list@example.org", "")
			x.ListID = "<friends.example.org>"
			return x
		}(), Inbox, "ignored: a mailing list (List-Id)"},
		{"bulk mail", func() Header { x := h("ana@example.org", "me@home.example", ""); x.Precedence = " Bulk"; return x }(), Inbox, "ignored: bulk mail (Precedence: bulk)"},
		{"an auto-reply", func() Header {
			x := h("ana@example.org", "me@home.example", "")
			x.AutoSubmitted = "auto-replied"
			return x
		}(), Inbox, "ignored: sent automatically (Auto-Submitted: auto-replied)"},
		{"Auto-Submitted: no", func() Header { x := h("ana@example.org", "me@home.example", ""); x.AutoSubmitted = "no"; return x }(), Inbox, "ana-lima replied"},
		{"no date", func() Header { x := h("ana@example.org", "me@home.example", ""); x.Date = time.Time{}; return x }(), Inbox, "ignored: no readable Date"},
	}
	for _, tc := range tests {
		l := Match(tc.h, tc.role, p, "maildir:home", 5)
		got := "ignored: " + l.Ignored
		if l.Ignored == "" {
			var parts []string
			for _, e := range l.Events {
				parts = append(parts, e.Contact+" "+string(e.Kind))
				if !e.At.Equal(date) || e.Source != "maildir:home" || len(e.Dedup) != 32 {
					t.Errorf("%s: event %+v", tc.name, e)
				}
			}
			got = strings.Join(parts, ", ")
		}
		if got != tc.want {
			t.Errorf("%s: %s; want %s", tc.name, got, tc.want)
		}
	}
	// One message is one event per person and kind, whatever the source;
	// another message is another.
	a := Match(h("ana@example.org", "me@home.example", ""), Inbox, p, "maildir:home", 5).Events[0]
	b := Match(h("Ana@Example.org", "me@home.example", ""), Inbox, p, "imap:work", 5).Events[0]
	other := h("ana@example.org", "me@home.example", "")
	other.MessageID = "<m2@example.org>"
	c := Match(other, Inbox, p, "maildir:home", 5).Events[0]
	if a.Dedup != b.Dedup || a.Dedup == c.Dedup {
		t.Errorf("dedup keys: same message %s %s, another %s", a.Dedup, b.Dedup, c.Dedup)
	}
	if strings.Contains(a.Dedup, "m1") {
		t.Error("the key holds the Message-ID")
	}
}

// FuzzMatch feeds header blocks of any shape through the parser and the
// matcher: whatever comes in, a message is either used, with events only
// for people in the config and of the kind its folder gives, or ignored
// with a reason; never both, never a crash.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"From: Ana <ana@example.org>\r\nTo: me@home.example\r\nDate: Mon, 30 Nov 2026 18:00:00 +0000\r\nMessage-ID: <x@y>\r\n\r\n",
		"From: =?utf-8?q?Ana_L=C3=ADma?= <ana.lima@gmail.com>\nTo: a@b, \"c, d\" <bo@example.net>\nCc: <ana@example.org>\nDate: 30 Nov 2026 18:00 +0100\n\n",
		"From: bo@example.net\nTo: undisclosed-recipients:;\nList-Id: x\n\n",
		"From: <<<>>>\nTo: ,,,\nDate: never\n\n",
		"From: ana@example.org\nAuto-Submitted: auto-generated\n\n",
	} {
		f.Add(s, true)
	}
	p := index(f)
	f.Fuzz(func(t *testing.T, raw string, sent bool) {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			return
		}
		h, err := ParseHeader(m.Header)
		if err != nil {
			return // counted as malformed by a sync
		}
		role, kind := Inbox, journal.Replied
		if sent {
			role, kind = Sent, journal.ReachedOut
		}
		l := Match(h, role, p, "maildir:fuzz", 5)
		if (l.Ignored == "") == (len(l.Events) == 0) {
			t.Fatalf("used %v and ignored %q at once", l.Events, l.Ignored)
		}
		keys := map[string]bool{}
		for _, e := range l.Events {
			if e.Contact != "ana-lima" && e.Contact != "bo" {
				t.Fatalf("an event for %q, who has no address in the config", e.Contact)
			}
			if e.Kind != kind || keys[e.Dedup] {
				t.Fatalf("event %+v in a %s folder (keys %v)", e, role, keys)
			}
			keys[e.Dedup] = true
		}
	})
}

func ExampleNormalize() {
	fmt.Println(Normalize("Ana.Lima+rekindle@GoogleMail.com"))
	// Output: analima@gmail.com
}
