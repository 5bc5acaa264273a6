package mailbox

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

// SMS Backup+ (an Android app) keeps a phone's texts and calls as mail, in
// folders of the user's mailbox ("SMS" and "Call log" unless the user
// chose others; texts and calls may share one). Each message carries what
// the phone's own database holds of it in headers of the app's own:
//
//	X-smssync-datatype  SMS, MMS or CALLLOG
//	X-smssync-address   the other party's number, as the phone keeps it
//	X-smssync-type      Android's type of the row: for a text 1 received,
//	                    2 sent (3 draft, 4 outbox, 5 failed, 6 queued);
//	                    for an MMS its PDU type, 128 sent, 132 received,
//	                    130 received not yet downloaded; for a call 1
//	                    incoming, 2 outgoing, 3 missed, 4 voicemail,
//	                    5 rejected, 6 blocked
//	X-smssync-date      when, in ms since 1970 (an MMS: in seconds, as
//	                    Android keeps it)
//	X-smssync-duration  how long a call lasted, in seconds
//
// Those are all rekindle reads of such a message, with To (how many an MMS
// went to: a group text names several) and Date (should the app's own date
// be missing). The body (what a text says) and the subject (the contact's
// name in the phone) are never fetched. X-smssync-id is not read: it is
// the row's number in one phone's database, which another phone or a
// restore numbers anew; a call is known again by its number and its time to
// the millisecond (phone's dedup key), which every backup of it keeps.
var smsBackupFields = []string{
	"X-smssync-datatype", "X-smssync-address", "X-smssync-type", "X-smssync-date", "X-smssync-duration",
	"To", "Date",
}

// smsBackupKeys are smsBackupFields as net/mail writes their names.
var smsBackupKeys = canonical(smsBackupFields)

// hiddenNumbers are what Android writes for a caller who hid their number
// or whose number the network did not give (CallLog's presentation).
var hiddenNumbers = map[string]bool{"": true, "-1": true, "-2": true, "-3": true, "-4": true}

// smsBackupRecord reads one SMS Backup+ message's header as a call or a
// text. skip says why it is none that phone.Book.Learn should see (not the
// app's message, a draft, a text that never left); err, that a header the
// app wrote cannot be read.
func smsBackupRecord(h mail.Header) (r phone.Record, skip string, err error) {
	datatype := strings.ToUpper(strings.TrimSpace(h.Get("X-Smssync-Datatype")))
	if datatype == "" {
		return r, "not an SMS Backup+ message (no X-smssync-datatype)", nil
	}
	typ, err := smsNumber(h, "X-smssync-type")
	if err != nil {
		return r, "", err
	}
	r.At, err = smsBackupDate(h, datatype == "MMS")
	if err != nil {
		return r, "", err
	}
	if r.At.IsZero() {
		return r, "no X-smssync-date and no Date", nil
	}
	r.Number = strings.TrimSpace(h.Get("X-Smssync-Address"))
	r.Parties = 1
	switch datatype {
	case "SMS":
		r.Kind = phone.Text
		var why string
		if r.Way, why = phone.TextWay(int(min(typ, 1<<30))); why != "" {
			return r, why, nil
		}
	case "MMS":
		r.Kind = phone.Text
		switch typ {
		case 132, 130: // retrieve-conf, notification-ind (not downloaded yet)
			r.Way = phone.Incoming
		case 128: // send-req
			r.Way = phone.Outgoing
		default:
			return r, fmt.Sprintf("an MMS report, not a message (type %d)", typ), nil
		}
		// The app writes every recipient but the sender in To: the user
		// alone for a text to them, the user and the others for a group
		// text; the one person or the several the user wrote to.
		if to, err := h.AddressList("To"); err == nil && len(to) > 1 {
			r.Parties = len(to)
		}
		// X-smssync-address is the first number of the MMS's own list:
		// the sender's when it came in; the user's own (or a placeholder)
		// when the user sent it. Then the number is the recipient's, in
		// To's unknown.email address, which the app writes for a person
		// the phone knows no e-mail address of.
		if r.Way == phone.Outgoing && r.Parties == 1 {
			r.Number = unknownEmailNumber(h)
			if r.Number == "" {
				return r, "an MMS you sent whose number the backup does not give (the phone has an e-mail address for them)", nil
			}
		}
	case "CALLLOG":
		r.Kind = phone.Call
		var why string
		if r.Way, why = phone.CallWay(int(min(typ, 1<<30))); why != "" {
			return r, why, nil
		}
		if hiddenNumbers[r.Number] {
			return r, "a call from a hidden number", nil
		}
		if h.Get("X-Smssync-Duration") != "" {
			secs, err := smsNumber(h, "X-smssync-duration")
			if err != nil {
				return r, "", err
			}
			r.Duration = time.Duration(min(secs, 1<<32)) * time.Second // no overflow
		}
	default:
		return r, "an SMS Backup+ message of a kind rekindle does not read (" + shown(datatype) + ")", nil
	}
	return r, "", nil
}

// smsNumber reads a header of the app's that holds a whole number.
func smsNumber(h mail.Header, key string) (int64, error) {
	v := strings.TrimSpace(h.Get(key))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("unreadable %s: %q is not a number", key, shown(v))
	}
	return n, nil
}

// smsBackupDate is when a call or text was: X-smssync-date, in ms since
// 1970 (seconds for an MMS, as Android keeps it; a value too large for
// seconds is read as ms all the same), else the Date the app wrote from
// it. Zero when there is neither.
func smsBackupDate(h mail.Header, mms bool) (time.Time, error) {
	if h.Get("X-Smssync-Date") == "" {
		v := h.Get("Date")
		if v == "" {
			return time.Time{}, nil
		}
		d, err := parseDate(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("unreadable Date")
		}
		return d, nil
	}
	n, err := smsNumber(h, "X-smssync-date")
	if err != nil {
		return time.Time{}, err
	}
	if mms && n < 1e11 { // 1e11 s is the year 5138; 1e11 ms, 1973
		n *= 1000
	}
	return time.UnixMilli(n), nil
}

// unknownEmailNumber is the number in the one To address of a message
// when it is the app's "NUMBER@unknown.email", which it writes for a
// person the phone knows no e-mail address of; "" otherwise.
func unknownEmailNumber(h mail.Header) string {
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 {
		return ""
	}
	local, domain, ok := strings.Cut(to[0].Address, "@")
	if !ok || !strings.EqualFold(domain, "unknown.email") || !hasDigit(local) {
		return ""
	}
	return local
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// considerSMSBackup learns from one message in a phone folder (or counts
// it unreadable): the call or text it records goes through considerCall;
// one that records none is ignored, with why.
func (s *Sync) considerSMSBackup(h mail.Header, err error, label string, res *Result, events []journal.Event) []journal.Event {
	if err != nil {
		return s.considerCall(phone.Record{}, err, label, res, events)
	}
	r, skip, err := smsBackupRecord(h)
	if skip != "" {
		return s.learn(r.At, nil, Phone, res, events, func() Learned { return Learned{Ignored: skip} })
	}
	return s.considerCall(r, err, label, res, events)
}
