// Package mailbox learns from the user's mail who wrote to whom: a message
// from a contact in the inbox is a reply, a message the user sent to a
// contact is an outreach, unless the message is bulk or automatic mail,
// spam, or perhaps forged. It reads headers only (headerFields), never a
// body, and what it keeps of a message is the event, its time, the source
// and a hash.
//
// Match decides for one message; a Source (one file per type: imap.go,
// maildir.go, each registered under its config type) finds the messages
// and keeps its own cursor of how far it read; Sync puts the two together
// and writes through the journal; Loop is the daemon's: every source at
// start, every interval and when its watch says mail came, with backoff.
package mailbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

// Header is what rekindle reads of a message: the fields its rules
// judge. Where a field is written more than once, the first (topmost)
// counts: a receiving server adds its own above what the sender wrote.
// Subject is read only for the prefixes of out-of-office replies and never
// kept.
type Header struct {
	From, To, Cc, Bcc []string // addresses, as written; From holds every From line's
	Date              time.Time
	// DateReceived says the message has no Date and Date is when the
	// server received it (IMAP's INTERNALDATE, a Maildir file's time).
	DateReceived bool
	MessageID    string
	Subject      string

	// What bulk and automatic senders set.
	ListID, ListUnsubscribe, ListUnsubscribePost, FeedbackID string
	AutoSubmitted, Precedence                                string
	AutoReply                                                string // "X-Autoreply: yes" (or X-Autorespond, X-Autoresponder), name and value
	AutoResponseSuppress                                     string // X-Auto-Response-Suppress, which Exchange sets on its automatic replies
	ContentType                                              string
	ReturnPath                                               string // added at delivery; "<>" for bounces and auto-replies

	// What the receiving server found.
	SpamFlag, SpamStatus, Spam string // X-Spam-Flag, X-Spam-Status, X-Spam
	AuthResults                string // the topmost Authentication-Results
}

// Role is what a folder holds.
type Role int

// The folders rekindle reads.
const (
	Inbox Role = iota // mail to the user: a contact's message is a reply
	Sent              // mail from the user: a message to a contact is an outreach
)

func (r Role) String() string {
	switch r {
	case Calendar:
		return "calendar"
	case Phone:
		return "phone"
	}
	if r == Sent {
		return "sent"
	}
	return "inbox"
}

// People finds contacts by address, and by phone number (Phones).
type People struct {
	byAddress map[string]string // normalised address → contact id
	cfg       *config.Config
	phones    func() *phone.Book
}

// NewPeople indexes the config's contacts by their email = [...]
// addresses.
func NewPeople(cfg *config.Config) *People {
	p := &People{byAddress: map[string]string{}, cfg: cfg}
	// Numbers are read only when a phone's record is: a mailbox of mail
	// alone never spends the time.
	p.phones = sync.OnceValue(func() *phone.Book { return phone.NewBook(cfg) })
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

// Phones finds the contacts by number.
func (p *People) Phones() *phone.Book { return p.phones() }

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
	if len(local)+1+len(domain) == len(a) && a[len(local)] == '@' && a[:len(local)] == local && a[len(local)+1:] == domain {
		return a // as it was written: no new string
	}
	return local + "@" + domain
}

// Learned is what one message teaches: events, or the reason it teaches
// none.
type Learned struct {
	Events  []journal.Event
	Ignored string // why the message was not used; "" when it was
	Note    string // what a dry run says beside the events ("" mostly)
}

// Match decides what a message in a folder of the given role says, for
// source (the [sources.NAME] name, with its type: "maildir:home"). It
// never fails: a message it cannot use says why. The rules run in order
// and the first that speaks decides: what the header says of the message
// (headerRule), its date and its number of recipients, then who it is
// from or to.
func Match(h Header, role Role, people *People, source string, maxRecipients int) Learned {
	if why := headerRule(&h, role); why != "" {
		return Learned{Ignored: why}
	}
	if h.Date.IsZero() {
		return Learned{Ignored: "no readable Date"}
	}
	// Bcc is in the stored copy of a sent message only; a message to many
	// people in Bcc is a mailing all the same.
	if n := len(h.To) + len(h.Cc) + len(h.Bcc); n > maxRecipients {
		return Learned{Ignored: fmt.Sprintf("sent to %d people (more than max_recipients = %d)", n, maxRecipients)}
	}
	var out Learned
	if h.DateReceived {
		out.Note = "(no Date: dated when the server received it)"
	}
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
		// A reply comes from one person. A From line naming several (which
		// anyone can write) speaks for none of them.
		if len(h.From) > 1 {
			return Learned{Ignored: fmt.Sprintf("the From line names %d addresses; a reply comes from one person", len(h.From))}
		}
		id, ok := "", false
		if len(h.From) == 1 {
			id, ok = people.Lookup(h.From[0])
		}
		if !ok {
			return Learned{Ignored: "not from anyone in the config"}
		}
		if why := forged(h.AuthResults, h.From[0]); why != "" {
			return Learned{Ignored: why}
		}
		add(id, journal.Replied)
	case Sent:
		for _, list := range [][]string{h.To, h.Cc, h.Bcc} {
			for _, a := range list {
				if id, ok := people.Lookup(a); ok {
					add(id, journal.ReachedOut)
				}
			}
		}
		if len(out.Events) == 0 {
			return Learned{Ignored: "to nobody in the config"}
		}
	}
	return out
}

// headerRule is what a message's own header says of it: mail from a
// list, a bulk sender or a machine is nobody's reply (nor the user's
// outreach). Its rules speak in turn, and it returns why the first that
// ignores the message does, or "". (One function, not a list of them: a
// call through a list of functions moved each message's Header to the
// heap.)
func headerRule(h *Header, role Role) string {
	if h.ListID != "" {
		return "a mailing list (List-Id)"
	}
	switch {
	case h.ListUnsubscribePost != "":
		return "a newsletter with one-click unsubscribe (List-Unsubscribe-Post)"
	case h.ListUnsubscribe != "":
		return "a newsletter (List-Unsubscribe)"
	}
	if h.FeedbackID != "" {
		return "bulk mail (Feedback-ID, which bulk senders set)"
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Precedence)); p {
	case "bulk", "list", "junk":
		return "bulk mail (Precedence: " + p + ")"
	case "auto_reply", "auto-reply":
		return "sent automatically (Precedence: " + p + ")"
	}
	if v := strings.ToLower(strings.TrimSpace(h.AutoSubmitted)); v != "" && v != "no" {
		return "sent automatically (Auto-Submitted: " + shown(v) + ")"
	}
	if h.AutoReply != "" {
		return "sent automatically (" + shown(h.AutoReply) + ")"
	}
	// "None" asks for every automatic answer; any other value (All, OOF,
	// AutoReply, DR, ...) is what automatic mail, Exchange's out-of-office
	// replies among it, carries.
	if v := strings.ToLower(strings.TrimSpace(h.AutoResponseSuppress)); v != "" && v != "none" {
		return "sent automatically (X-Auto-Response-Suppress: " + shown(v) + ")"
	}
	if p := outOfOfficePrefix(h.Subject); p != "" {
		return fmt.Sprintf("an out-of-office reply (the subject starts %q)", p)
	}
	if isReport(h.ContentType) {
		return "a delivery or read report (multipart/report)"
	}
	if strings.ReplaceAll(strings.TrimSpace(h.ReturnPath), " ", "") == "<>" {
		return "sent with an empty Return-Path (<>), as bounces and automatic replies are"
	}
	if role == Inbox {
		for _, f := range []struct{ name, v string }{{"X-Spam-Flag", h.SpamFlag}, {"X-Spam-Status", h.SpamStatus}, {"X-Spam", h.Spam}} {
			// "YES", "Yes, score=7.3 required=5.0 ...", "yes"
			v := strings.ToLower(strings.TrimSpace(f.v))
			if v == "yes" || v == "true" || strings.HasPrefix(v, "yes,") || strings.HasPrefix(v, "yes ") {
				return "marked as spam by the receiving server (" + f.name + ": yes)"
			}
		}
	}
	return ""
}

// outOfOfficePrefixes begin the subjects of Outlook's and Exchange's
// out-of-office replies (in their usual languages) and of other
// autoresponders; a person's reply starts "Re:". Compared in lower case,
// with a space before the colon taken out (French writes one).
var outOfOfficePrefixes = []string{
	"automatic reply:", "out of office:", "out of office autoreply:", "auto reply:", "autoreply:",
	"auto-reply:", "automatic response:", "automatische antwort:", "réponse automatique:",
	"respuesta automática:", "risposta automatica:", "automatisch antwoord:", "resposta automática:",
	"autosvar:", "automaattinen vastaus:", "automatyczna odpowiedź:",
}

// narrowSpaces are the no-break spaces a subject may carry before its
// colon, read as spaces.
var narrowSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

// ooOpenings are the openings of outOfOfficePrefixes: a subject that
// does not start with one (opening) starts with none of them.
var ooOpenings = func() map[[3]rune]bool {
	m := map[[3]rune]bool{}
	for _, p := range outOfOfficePrefixes {
		m[opening(p)] = true
	}
	return m
}()

// opening is the first three characters of s in lower case, after the
// spaces it starts with, as outOfOfficePrefix compares them (zeros for
// those it lacks): each character lowered alone is what strings.ToLower
// makes of it, and a no-break space among them, which outOfOfficePrefix
// reads as a space, is in no prefix's opening, nor in its own lowered.
func opening(s string) [3]rune {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	var o [3]rune
	for i := range o {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 {
			break
		}
		o[i] = unicode.ToLower(r)
		s = s[size:]
	}
	return o
}

// outOfOfficePrefix is the out-of-office prefix (of outOfOfficePrefixes)
// subject starts with, or "".
func outOfOfficePrefix(subject string) string {
	if subject == "" {
		return ""
	}
	if !strings.Contains(subject, "=?") && !ooOpenings[opening(subject)] {
		return "" // nothing to decode, and it starts as none of them
	}
	return decodedPrefix(subject)
}

// decodedPrefix is outOfOfficePrefix without its quick refusal: subject
// decoded, and compared with each prefix.
func decodedPrefix(subject string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = d
	}
	s := strings.ToLower(strings.TrimSpace(narrowSpaces.Replace(subject)))
	for _, p := range outOfOfficePrefixes {
		if rest, ok := strings.CutPrefix(s, strings.TrimSuffix(p, ":")); ok && strings.HasPrefix(strings.TrimLeft(rest, " "), ":") {
			return p
		}
	}
	return ""
}

// isReport says whether a Content-Type is multipart/report. The type is
// read from the text itself, so one that does not say "report" is not one
// (and text/plain, most mail's, needs no parsing to tell).
func isReport(ct string) bool {
	return strings.Contains(strings.ToLower(ct), "report") && mediaType(ct) == "multipart/report"
}

// mediaType is a Content-Type's type in lower case, "" when there is none.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}

	if t, _, err := mime.ParseMediaType(ct); err == nil {
		return t
	}
	t, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// shown is a header value as a dry run prints it: at most 40 characters,
// anything that is not a printable character replaced, so a sender's
// header cannot write to the user's terminal.
func shown(v string) string {
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n == 40 {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
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

// headerFields are the header fields ParseHeader reads: all that rekindle
// asks an IMAP server for, never a body.
var headerFields = []string{
	"From", "To", "Cc", "Bcc", "Date", "Message-ID", "Subject",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
	"Auto-Submitted", "Precedence", "X-Autoreply", "X-Autorespond", "X-Autoresponder",
	"X-Auto-Response-Suppress", "Content-Type", "Return-Path",
	"X-Spam-Flag", "X-Spam-Status", "X-Spam", "Authentication-Results",
}

// ParseHeader reads the headers rekindle uses from a message's header
// block. A header it cannot read (an address list that is not one) leaves
// that field empty; the caller counts such messages.
func ParseHeader(h mail.Header) (Header, error) { return parseHeader(h, nil) }

// addrLine is what an address line says: its addresses, or that it is
// none (ok false).
type addrLine struct {
	addrs []string // clipped: an append to it copies
	ok    bool
}

// maxAddrs bounds the address lines a headerReader remembers.
const maxAddrs = 4096

// maxAddrLine is the longest address line a headerReader remembers: with
// maxAddrs, the lines remembered hold a few megabytes at most.
const maxAddrLine = 1024

// parseHeader is ParseHeader, each address line that addrs (when not nil)
// holds read from it, and each other one kept in it once parsed.
func parseHeader(h mail.Header, addrs map[string]addrLine) (Header, error) {
	var out Header
	var problems []string
	list := func(key string) []string {
		var s []string
		for _, v := range h[key] {
			if strings.TrimSpace(v) == "" {
				continue
			}
			line, seen := addrs[v]
			if !seen {
				parsed, err := mail.ParseAddressList(v)
				line.ok = err == nil
				if line.ok && len(parsed) > 0 {
					line.addrs = make([]string, len(parsed))
					for i, a := range parsed {
						line.addrs[i] = a.Address
					}
				}
				// The line is kept as a copy: v is part of one string
				// with all of its message's values (headerReader), which
				// would stay alive with it. A line too long to come again
				// (a list of many recipients) is not kept.
				if addrs != nil && len(v) <= maxAddrLine {
					if len(addrs) >= maxAddrs {
						clear(addrs)
					}
					addrs[strings.Clone(v)] = line
				}
			}
			if !line.ok {
				problems = append(problems, key)
				return nil
			}
			if s == nil {
				s = line.addrs
			} else {
				s = append(s, line.addrs...)
			}
			if key != "From" {
				break // the first line counts; every From line does
			}
		}
		return s
	}
	get := func(key string) string {
		if v := h[key]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	// The keys as net/mail writes them (textproto.CanonicalMIMEHeaderKey).
	out.From, out.To, out.Cc, out.Bcc = list("From"), list("To"), list("Cc"), list("Bcc")
	if v := get("Date"); v != "" {
		d, err := parseDate(v)
		if err != nil {
			problems = append(problems, "Date")
		} else {
			out.Date = d
		}
	}
	out.MessageID = get("Message-Id")
	out.Subject = get("Subject")
	out.ListID = get("List-Id")
	out.ListUnsubscribe = get("List-Unsubscribe")
	out.ListUnsubscribePost = get("List-Unsubscribe-Post")
	out.FeedbackID = get("Feedback-Id")
	out.AutoSubmitted = get("Auto-Submitted")
	out.Precedence = get("Precedence")
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if v := strings.TrimSpace(get(k)); v != "" && !strings.EqualFold(v, "no") {
			out.AutoReply = k + ": " + strings.ToLower(v)
			break
		}
	}
	out.AutoResponseSuppress = get("X-Auto-Response-Suppress")
	out.ContentType = get("Content-Type")
	out.ReturnPath = get("Return-Path")
	out.SpamFlag, out.SpamStatus, out.Spam = get("X-Spam-Flag"), get("X-Spam-Status"), get("X-Spam")
	out.AuthResults = get("Authentication-Results")
	if len(problems) > 0 {
		return out, fmt.Errorf("unreadable %s", strings.Join(problems, ", "))
	}
	return out, nil
}

// receivedAt gives a message without a Date the time the server received
// it (IMAP's INTERNALDATE, a Maildir file's time); the sources call it.
func (h *Header) receivedAt(at time.Time) {
	if h.Date.IsZero() && !at.IsZero() {
		h.Date, h.DateReceived = at, true
	}
}

// zones are the zone names RFC 5322 still reads (its obsolete syntax),
// with their offsets. Any other name (CET, IST, a military letter) says
// nothing reliable and is read as -0000, as the RFC asks; Go's own parser
// would read every name as UTC, or as the local zone when that one has
// the same name.
var zones = map[string]string{
	"UT": "+0000", "GMT": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

// parseDate reads a Date header, a zone name at its end (after any
// comments) in that zone.
func parseDate(v string) (time.Time, error) {
	s := strings.TrimSpace(v)
	for strings.HasSuffix(s, ")") { // trailing comments: "-0500 (EST)"
		i := strings.LastIndexByte(s, '(')
		if i < 0 {
			break
		}
		s = strings.TrimSpace(s[:i])
	}
	if i := strings.LastIndexAny(s, " \t"); i >= 0 {
		name := s[i+1:]
		if name != "" && strings.IndexFunc(name, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) < 0 {
			off, ok := zones[strings.ToUpper(name)]
			if !ok {
				off = "-0000"
			}
			if numericZone(strings.TrimSpace(s[:i])) {
				off = "" // "+0100 CET": the number says it
			}
			s = strings.TrimSpace(s[:i+1] + off)
		}
	}
	// The form nearly every program writes, read at once; net/mail tries
	// two dozen forms in turn, and that form comes late among them.
	// Whatever this reads, net/mail reads the same.
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t, nil
	}
	return mail.ParseDate(s)
}

// numericZone says whether s ends in a zone such as "+0100".
func numericZone(s string) bool {
	if len(s) < 5 {
		return false
	}
	z := s[len(s)-5:]
	if z[0] != '+' && z[0] != '-' {
		return false
	}
	for _, c := range z[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(s) == 5 || s[len(s)-6] == ' ' || s[len(s)-6] == '\t'
}

// forged reads the receiving server's Authentication-Results (RFC 8601)
// for a message from the address from, and says why the message is not
// taken as theirs: the server found DMARC failed for the From domain, or
// a DKIM signature of that domain failed and none verified (and DMARC did
// not pass). "" when it says neither, or there is no such header: most
// self-hosted servers write none, and such mail is judged as before.
//
// Only the topmost Authentication-Results is read. The receiving server
// adds its own above every header the sender wrote, so one a sender forged
// lies below it and is never read. Where the server writes none, the
// topmost is the sender's own: it can then only make its own message
// ignored, since a "pass" here never makes a message count that would not
// count without the header. No authserv-id is checked: Microsoft 365
// writes none, and trusting the topmost needs none.
func forged(ar, from string) string {
	// Only a result of "fail" speaks, and reading the header cannot make
	// one where the text has none: most mail is passed over at once.
	if ar == "" || !saysFail(ar) {
		return ""
	}
	_, domain, _ := strings.Cut(strings.ToLower(from), "@")
	var dmarcPass, dmarcFail, dkimPass, dkimFail bool
	for _, r := range authResults(ar) {
		switch r.method {
		case "dmarc":
			if d := domainOf(r.props["header.from"]); d != "" && d != domain {
				continue // about another domain
			}
			dmarcPass = dmarcPass || r.result == "pass"
			dmarcFail = dmarcFail || r.result == "fail"
		case "dkim":
			d := r.props["header.d"]
			if d == "" {
				d = domainOf(r.props["header.i"])
			}
			if !aligned(strings.ToLower(d), domain) {
				continue // a signature of another domain (a list, a sending service)
			}
			dkimPass = dkimPass || r.result == "pass"
			dkimFail = dkimFail || r.result == "fail"
		}
	}
	switch {
	case dmarcFail:
		return "perhaps forged: the receiving server found DMARC failed for the sender's domain (Authentication-Results)"
	case dkimFail && !dkimPass && !dmarcPass:
		return "perhaps forged: the receiving server found the DKIM signature of the sender's domain failed (Authentication-Results)"
	}
	return ""
}

// saysFail says whether "fail" is in v in any case, as in v lowered by
// strings.ToLower; an ASCII v is searched as it is, without a lowered copy.
func saysFail(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(v), "fail") // "FAİL" lowers to "fail" too
		}
	}
	for i := 0; i+4 <= len(v); i++ {
		if v[i]|0x20 == 'f' && v[i+1]|0x20 == 'a' && v[i+2]|0x20 == 'i' && v[i+3]|0x20 == 'l' {
			return true
		}
	}
	return false
}

// domainOf is the domain of "user@domain", "@domain" or "domain", in
// lower case.
func domainOf(s string) string {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// aligned says whether a signing domain speaks for the From domain: the
// same, or one under the other (DMARC's relaxed alignment, without a
// list of public suffixes).
func aligned(d, from string) bool {
	d = strings.TrimSuffix(d, ".")
	if d == "" || from == "" {
		return false
	}
	return d == from || strings.HasSuffix(from, "."+d) || strings.HasSuffix(d, "."+from)
}

// authResult is one result of an Authentication-Results header: "dkim",
// "fail", {"header.d": "example.org"}.
type authResult struct {
	method, result string
	props          map[string]string
}

// authResults reads an Authentication-Results value: an authserv-id (which
// Microsoft 365 leaves out), then results separated by ";", each
// "method=result" and "ptype.property=value" pairs, with comments in
// parentheses anywhere and values perhaps quoted. What it cannot read it
// leaves out.
func authResults(v string) []authResult {
	var out []authResult
	for i, part := range splitOutsideQuotes(stripComments(v), func(r rune) bool { return r == ';' }) {
		words := splitOutsideQuotes(part, unicode.IsSpace)
		if len(words) == 0 || i == 0 && !strings.Contains(words[0], "=") {
			continue // the authserv-id and its version
		}
		method, result, ok := strings.Cut(words[0], "=")
		if !ok {
			continue
		}
		method, _, _ = strings.Cut(method, "/") // "dkim/1=pass"
		r := authResult{method: strings.ToLower(method), result: strings.ToLower(unquote(result)), props: map[string]string{}}
		for _, w := range words[1:] {
			if k, val, ok := strings.Cut(w, "="); ok {
				r.props[strings.ToLower(k)] = unquote(val)
			}
		}
		out = append(out, r)
	}
	return out
}

// stripComments takes the comments (in parentheses, perhaps nested) out
// of a header value, leaving quoted strings whole.
func stripComments(v string) string {
	var b strings.Builder
	depth, quoted, escaped := 0, false, false
	for _, r := range v {
		switch {
		case escaped:
			escaped = false
			if depth > 0 {
				continue
			}
		case r == '\\' && (quoted || depth > 0):
			escaped = true
			if depth > 0 {
				continue
			}
		case quoted:
			quoted = r != '"'
		case r == '(':
			depth++
			continue
		case r == ')' && depth > 0:
			depth--
			if depth == 0 {
				r = ' '
			} else {
				continue
			}
		case depth > 0:
			continue
		case r == '"':
			quoted = true
		}
		b.WriteRune(r)
	}
	return b.String()
}

// splitOutsideQuotes splits s where sep says, outside quoted strings,
// leaving out empty pieces.
func splitOutsideQuotes(s string, sep func(rune) bool) []string {
	var out []string
	quoted, escaped, start := false, false, 0
	for i, r := range s {
		switch {
		case escaped:
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && sep(r):
			if p := strings.TrimSpace(s[start:i]); p != "" {
				out = append(out, p)
			}
			start = i + utf8.RuneLen(r)
		}
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// unquote takes the quotes off a quoted value.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		return strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(v)
	}
	return v
}
