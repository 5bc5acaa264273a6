// Package phone learns from calls and texts: who they were with, matched by
// number to the people of the config, and what each one counts as. The
// sources that read a phone's record (SMS Backup+ mail in a mailbox, SMS
// Backup & Restore files, the phone's own automation calling the API) turn
// what they read into a Record, and Book.Learn decides what it teaches.
// Nothing of a text's body is ever read here: a Record has no room for it.
package phone

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/journal"
)

// Kind is what a record is of.
type Kind int

// The kinds of record.
const (
	Call Kind = iota + 1
	Text      // an SMS or an MMS
)

func (k Kind) String() string {
	switch k {
	case Call:
		return "call"
	case Text:
		return "text"
	}
	return "kind " + strconv.Itoa(int(k))
}

// Way is which way a record went.
type Way int

// The ways a call or a text goes.
const (
	Incoming Way = iota + 1 // a call they made and the user answered; a text they sent
	Outgoing                // a call the user made; a text the user sent
	Missed                  // a call not answered: missed, rejected, blocked, to voicemail
)

func (w Way) String() string {
	switch w {
	case Incoming:
		return "incoming"
	case Outgoing:
		return "outgoing"
	case Missed:
		return "missed"
	}
	return "way " + strconv.Itoa(int(w))
}

// Record is one call or text, as a backup or the phone tells of it: who
// with, when, which way, how long. It holds no body.
type Record struct {
	Number   string // the other party's number, as written
	At       time.Time
	Kind     Kind
	Way      Way
	Duration time.Duration // how long a call lasted; 0 for one not answered
	// Parties is how many other numbers a text went to or came with: a
	// group text has more than one and counts for none of them.
	Parties int
}

// Learned is what one record teaches: one event, or the reason it
// teaches none.
type Learned struct {
	Event   journal.Event // Contact is "" when Ignored says why not
	Ignored string
}

// kindOf is the event a record of a person is: an answered call either way
// is talking, a text they sent a reply, a text the user sent an outreach
// (which the no-flooding rules wait on). "" with the reason for one that
// is nothing.
func kindOf(r Record) (journal.Kind, string) {
	switch {
	case r.Kind == Call && r.Way == Missed:
		return "", "a call not answered"
	case r.Kind == Call && r.Duration <= 0:
		return "", "a call that lasted no time"
	case r.Kind == Call && (r.Way == Incoming || r.Way == Outgoing):
		return journal.Talked, ""
	case r.Kind == Text && r.Parties > 1:
		return "", "a group text (" + strconv.Itoa(r.Parties) + " numbers)"
	case r.Kind == Text && r.Way == Incoming:
		return journal.Replied, ""
	case r.Kind == Text && r.Way == Outgoing:
		return journal.ReachedOut, ""
	}
	return "", "a " + r.Kind.String() + " that went no known way (" + r.Way.String() + ")"
}

// Source is the Source of an event learned from a phone's record that the
// source named name read: "phone:mail" for SMS Backup+'s folders in the
// mail source mail, "phone:api" for the phone's own automation. Whatever
// brought it, a call or a text is the phone's (IsPhone), so that a reply
// by text is never told as one by email.
func Source(name string) string { return journal.LearnedSource("phone", name) }

// IsPhone tells whether an event's source is a phone's record (Source).
func IsPhone(source string) bool { return strings.HasPrefix(source, "phone:") }

// Learn decides what a record teaches for source (Source). It never
// fails: a record it cannot use says why.
func (b *Book) Learn(r Record, source string) Learned {
	kind, why := kindOf(r)
	if why != "" {
		return Learned{Ignored: why}
	}
	id, why := b.Lookup(r.Number)
	if why != "" {
		return Learned{Ignored: why}
	}
	e164, _ := b.normal(r.Number)
	return Learned{Event: journal.Event{
		Contact: id,
		Kind:    kind,
		At:      r.At,
		Source:  source,
		Dedup:   dedup(e164, r, id, kind),
	}}
}

// dedup is the key that makes one call or text one event: a hash of the
// number, the time to the millisecond, the kind and the way, with the
// person and the event's kind. A phone's record keeps each call and text
// with its time in milliseconds, and every backup of it writes the same,
// so the same call read from SMS Backup+ mail, from a backup file, and from
// that file rewritten by the next backup is one event. The state file
// keeps the hash, never the number.
func dedup(e164 string, r Record, contact string, kind journal.Kind) string {
	sum := sha256.Sum256([]byte("phone\x00" + e164 + "\x00" + strconv.FormatInt(r.At.UnixMilli(), 10) + "\x00" +
		r.Kind.String() + "\x00" + r.Way.String() + "\x00" + contact + "\x00" + string(kind)))
	return hex.EncodeToString(sum[:16])
}
