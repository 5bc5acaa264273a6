// Package mailbox learns from the user's mail who wrote to whom: a message
// from a contact in the inbox is a reply, a message the user sent to a
// contact is an outreach. It reads headers only (From, To, Cc, Date,
// Message-ID, List-Id, Auto-Submitted, Precedence), never a body, and what
// it keeps of a message is the event, its time, the source and a hash.
//
// Match decides for one message; the sources (a Maildir here) find the
// messages; Sync puts the two together and writes through the journal.
package mailbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Header is what rekindle reads of a message.
type Header struct {
	From, To, Cc  []string // addresses, as written
	Date          time.Time
	MessageID     string
	ListID        string
	AutoSubmitted string
	Precedence    string
}

// Role is what a folder holds.
type Role int

// The folders rekindle reads.
const (
	Inbox Role = iota // mail to the user: a contact's message is a reply
	Sent              // mail from the user: a message to a contact is an outreach
)

func (r Role) String() string {
	if r == Sent {
		return "sent"
	}
	return "inbox"
}

// People finds contacts by address.
type People struct {
	byAddress map[string]string // normalised address → contact id
}

// NewPeople indexes the config's contacts by their email = [...]
// addresses.
func NewPeople(cfg *config.Config) *People {
	p := &People{byAddress: map[string]string{}}
	for i := range cfg.Contacts {
		c := &cfg.Contacts[i]
		for _, a := range c.Emails {
			if n := Normalize(a); n != "" {
				p.byAddress[n] = c.ID
			}
		}
	}
	return p
}

// Lookup finds the contact with this address.
func (p *People) Lookup(address string) (string, bool) {
	id, ok := p.byAddress[Normalize(address)]
	return id, ok
}

// Normalize makes the forms of one mailbox equal: lower case, without a
// "+tag" after the local part, and for Gmail (gmail.com, googlemail.com)
// without the dots in the local part, which Gmail ignores. "" when it is
// not an address.
func Normalize(address string) string {
	a := strings.ToLower(strings.TrimSpace(address))
	local, domain, ok := strings.Cut(a, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// Learned is what one message teaches: events, or the reason it teaches
// none.
type Learned struct {
	Events  []journal.Event
	Ignored string // why the message was not used; "" when it was
}

// Match decides what a message in a folder of the given role says, for
// source (the [sources.NAME] name, with its type: "maildir:home"). It
// never fails: a message it cannot use says why.
func Match(h Header, role Role, people *People, source string, maxRecipients int) Learned {
	switch {
	case h.ListID != "":
		return Learned{Ignored: "a mailing list (List-Id)"}
	case isBulk(h.Precedence):
		return Learned{Ignored: "bulk mail (Precedence: " + strings.ToLower(strings.TrimSpace(h.Precedence)) + ")"}
	case h.AutoSubmitted != "" && !strings.EqualFold(strings.TrimSpace(h.AutoSubmitted), "no"):
		return Learned{Ignored: "sent automatically (Auto-Submitted: " + strings.ToLower(strings.TrimSpace(h.AutoSubmitted)) + ")"}
	case h.Date.IsZero():
		return Learned{Ignored: "no readable Date"}
	}
	if n := len(h.To) + len(h.Cc); n > maxRecipients {
		return Learned{Ignored: fmt.Sprintf("sent to %d people (more than max_recipients = %d)", n, maxRecipients)}
	}
	var out Learned
	add := func(contact string, kind journal.Kind) {
		for _, e := range out.Events {
			if e.Contact == contact {
				return // named twice (To and Cc): one event
			}
		}
		out.Events = append(out.Events, journal.Event{Contact: contact, Kind: kind, At: h.Date, Source: source, Dedup: dedup(h, contact, kind)})
	}
	switch role {
	case Inbox:
		for _, a := range h.From {
			if id, ok := people.Lookup(a); ok {
				add(id, journal.Replied)
			}
		}
		if len(out.Events) == 0 {
			out.Ignored = "not from anyone in the config"
		}
	case Sent:
		for _, a := range append(append([]string(nil), h.To...), h.Cc...) {
			if id, ok := people.Lookup(a); ok {
				add(id, journal.ReachedOut)
			}
		}
		if len(out.Events) == 0 {
			out.Ignored = "to nobody in the config"
		}
	}
	return out
}

func isBulk(precedence string) bool {
	switch strings.ToLower(strings.TrimSpace(precedence)) {
	case "bulk", "list", "junk":
		return true
	}
	return false
}

// dedup is the key that makes one message one event per person and kind:
// a hash of its Message-ID (of its date and addresses when it has none),
// so the state file never holds the Message-ID itself.
func dedup(h Header, contact string, kind journal.Kind) string {
	id := strings.Trim(strings.TrimSpace(h.MessageID), "<>")
	if id == "" {
		id = "no-id\x00" + h.Date.UTC().Format(time.RFC3339) + "\x00" + strings.Join(h.From, ",") + "\x00" + strings.Join(h.To, ",")
	}
	sum := sha256.Sum256([]byte(strings.ToLower(id) + "\x00" + contact + "\x00" + string(kind)))
	return hex.EncodeToString(sum[:16])
}

// ParseHeader reads the headers rekindle uses from a message's header
// block. A header it cannot read (an address list that is not one) leaves
// that field empty; the caller counts such messages.
func ParseHeader(h mail.Header) (Header, error) {
	var out Header
	var problems []string
	list := func(key string) []string {
		v := h.Get(key)
		if v == "" {
			return nil
		}
		addrs, err := h.AddressList(key)
		if err != nil {
			problems = append(problems, key)
			return nil
		}
		s := make([]string, len(addrs))
		for i, a := range addrs {
			s[i] = a.Address
		}
		return s
	}
	out.From, out.To, out.Cc = list("From"), list("To"), list("Cc")
	if v := h.Get("Date"); v != "" {
		d, err := mail.ParseDate(v)
		if err != nil {
			problems = append(problems, "Date")
		} else {
			out.Date = d
		}
	}
	out.MessageID = h.Get("Message-Id")
	out.ListID = h.Get("List-Id")
	out.AutoSubmitted = h.Get("Auto-Submitted")
	out.Precedence = h.Get("Precedence")
	if len(problems) > 0 {
		return out, fmt.Errorf("unreadable %s", strings.Join(problems, ", "))
	}
	return out, nil
}
