package mailbox

import (
	"fmt"
	"net/mail"
	"net/textproto"
	"reflect"
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
	t.Parallel()
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
	t.Parallel()
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

// judge reads a message as it comes from a Maildir or a server (a header
// block, CRLF or LF) and says what Match makes of it: "contact kind, ..."
// or "ignored: reason".
func judge(t *testing.T, p *People, raw string, role Role) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("not a message: %v", err)
	}
	h, err := ParseHeader(m.Header)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	l := Match(h, role, p, "maildir:home", 5)
	if l.Ignored != "" {
		return "ignored: " + l.Ignored
	}
	var parts []string
	for _, e := range l.Events {
		parts = append(parts, e.Contact+" "+string(e.Kind))
	}
	return strings.Join(parts, ", ")
}

// A person's reply, as the receiving server delivers it: what the
// bulk and automatic messages below are told apart from.
const realReply = `Return-Path: <ana@example.org>
Delivered-To: me@home.example
Received: from mail.example.org (mail.example.org [198.51.100.7])
	by mx.home.example (Postfix) with ESMTPS id 4Zx9
	for <me@home.example>; Mon, 30 Nov 2026 18:00:03 +0000 (UTC)
Authentication-Results: mx.home.example;
	dkim=pass (2048-bit key; unprotected) header.d=example.org header.i=@example.org header.b="Qm9vaw";
	dmarc=pass (p=quarantine dis=none) header.from=example.org
From: Ana Lima <ana@example.org>
To: Me <me@home.example>
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <r1@example.org>
In-Reply-To: <m0@home.example>
References: <m0@home.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Friday works!
`

// TestMatchRealMail judges messages of the shapes real bulk senders,
// autoresponders, mail servers and forgers send, each from a contact's
// address: none is their reply, and the dry run says which rule said so.
func TestMatchRealMail(t *testing.T) {
	t.Parallel()
	p := index(t)
	tests := []struct {
		name, raw string
		role      Role
		want      string
	}{
		{"a person's reply", realReply, Inbox, "ana-lima replied"},
		{"a newsletter with one-click unsubscribe (RFC 8058) and no List-Id", `Return-Path: <bounce-7731.ana=example.org@send.esp.example>
From: Ana Lima <ana@example.org>
Reply-To: Ana Lima <ana@example.org>
To: <me@home.example>
Subject: The garden letter, November
Date: Mon, 30 Nov 2026 08:00:00 +0000
Message-ID: <20261130080000.7731@send.esp.example>
List-Unsubscribe: <https://esp.example/u/7731?e=me%40home.example>, <mailto:unsub-7731@esp.example?subject=unsubscribe>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Feedback-ID: 7731:garden:newsletter:esp
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

`, Inbox, "ignored: a newsletter with one-click unsubscribe (List-Unsubscribe-Post)"},
		{"a newsletter with List-Unsubscribe alone", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: News from the choir
Date: Mon, 30 Nov 2026 08:00:00 +0000
Message-ID: <c1@lists.example.org>
List-Unsubscribe: <mailto:choir-leave@example.org>

`, Inbox, "ignored: a newsletter (List-Unsubscribe)"},
		{"a bulk sender's Feedback-ID alone", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Your booking with Ana
Date: Mon, 30 Nov 2026 08:00:00 +0000
Message-ID: <0102018c1a2b3c4d-5e6f@eu-west-1.mailer.example>
Feedback-ID: 1.eu-west-1.Zm9vYmFy:Mailer
MIME-Version: 1.0
Content-Type: text/html; charset=UTF-8

`, Inbox, "ignored: bulk mail (Feedback-ID, which bulk senders set)"},
		{"an Exchange out-of-office reply (no Auto-Submitted)", `From: Ana Lima <ana@example.org>
To: Me <me@home.example>
Subject: Automatic reply: dinner on Friday?
Thread-Topic: dinner on Friday?
Thread-Index: AQHZ1a2b3c4d5e6f7g8h9i0jAAAA==
Date: Mon, 30 Nov 2026 18:00:05 +0000
Message-ID: <AM0PR01MB1234C0FFEE@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>
In-Reply-To: <m0@home.example>
References: <m0@home.example>
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
X-Auto-Response-Suppress: All
Content-Type: multipart/alternative; boundary="_000_AM0PR01MB1234_"
MIME-Version: 1.0

`, Inbox, "ignored: sent automatically (X-Auto-Response-Suppress: all)"},
		{"an Outlook out-of-office reply in German, X- headers stripped on the way", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Automatische Antwort: Abendessen am Freitag?
Date: Mon, 30 Nov 2026 18:00:05 +0100
Message-ID: <oof2@example.org>
Content-Language: de-DE

`, Inbox, `ignored: an out-of-office reply (the subject starts "automatische antwort:")`},
		{"an Outlook out-of-office reply in French, encoded", "From: Ana Lima <ana@example.org>\nTo: me@home.example\nSubject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0:_d=C3=AEner_vendredi_=3F?=\nDate: Mon, 30 Nov 2026 18:00:05 +0100\nMessage-ID: <oof3@example.org>\n\n",
			Inbox, `ignored: an out-of-office reply (the subject starts "réponse automatique:")`},
		{"a reply to an out-of-office reply is a reply", strings.Replace(realReply, "Subject: Re: dinner on Friday?", "Subject: RE: Automatic reply: dinner on Friday?", 1), Inbox, "ana-lima replied"},
		{"Gmail's vacation responder", `From: Ana Lima <ana.lima@gmail.com>
To: me@home.example
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:05 -0800
Message-ID: <CAKf4Qw1vacation=x@mail.gmail.com>
In-Reply-To: <m0@home.example>
References: <m0@home.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

`, Inbox, "ignored: sent automatically (Auto-Submitted: auto-replied)"},
		{"an autoresponder's X-Autoreply", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:05 +0300
Message-ID: <ar1@example.org>
X-Autoreply: yes

`, Inbox, "ignored: sent automatically (X-Autoreply: yes)"},
		{"an autoresponder's X-Autorespond", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: I'm away until Monday
Date: Mon, 30 Nov 2026 18:00:05 +0000
Message-ID: <ar2@example.org>
X-Autorespond: dinner on Friday?
Precedence: auto_reply

`, Inbox, "ignored: sent automatically (Precedence: auto_reply)"},
		{"X-Autorespond alone", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: I'm away until Monday
Date: Mon, 30 Nov 2026 18:00:05 +0000
Message-ID: <ar3@example.org>
X-Autorespond: dinner on Friday?

`, Inbox, "ignored: sent automatically (X-Autorespond: dinner on friday?)"},
		{"a read receipt from her mail program", `From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Read: dinner on Friday?
Date: Mon, 30 Nov 2026 18:03:00 +0000
Message-ID: <mdn1@example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification;
	boundary="----=_NextPart_000_0001"

`, Inbox, "ignored: a delivery or read report (multipart/report)"},
		{"a delivery status notification", `Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: me@home.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 30 Nov 2026 18:00:09 +0000
Message-ID: <20261130180009.1A2B@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="1A2B.1764525609/mx.example.org"

`, Inbox, "ignored: sent automatically (Auto-Submitted: auto-replied)"},
		{"a bounce from her own server, marked only by its content", `From: ana@example.org
To: me@home.example
Subject: Delivery Status Notification (Failure)
Date: Mon, 30 Nov 2026 18:00:09 +0000
Message-ID: <dsn2@example.org>
Content-Type: multipart/report; report-type=delivery-status; boundary="x"

`, Inbox, "ignored: a delivery or read report (multipart/report)"},
		{"an autoreply sent with an empty Return-Path", `Return-Path: <>
From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:05 +0000
Message-ID: <vac@example.org>

`, Inbox, "ignored: sent with an empty Return-Path (<>), as bounces and automatic replies are"},
		{"SpamAssassin's verdict", `Return-Path: <ana@example.org>
X-Spam-Flag: YES
X-Spam-Score: 8.1
X-Spam-Level: ********
X-Spam-Status: Yes, score=8.1 required=5.0 tests=FORGED_OUTLOOK_HTML,
	SPF_FAIL autolearn=no autolearn_force=no version=4.0.0
From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Re: your invoice
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <s1@spam.example>

`, Inbox, "ignored: marked as spam by the receiving server (X-Spam-Flag: yes)"},
		{"X-Spam-Status alone", "From: ana@example.org\nTo: me@home.example\nDate: Mon, 30 Nov 2026 18:00:00 +0000\nX-Spam-Status: Yes, score=6.2 required=5.0 tests=BAYES_99\nMessage-ID: <s2@spam.example>\n\n",
			Inbox, "ignored: marked as spam by the receiving server (X-Spam-Status: yes)"},
		{"rspamd's X-Spam", "From: ana@example.org\nTo: me@home.example\nDate: Mon, 30 Nov 2026 18:00:00 +0000\nX-Spam: Yes\nMessage-ID: <s3@spam.example>\n\n",
			Inbox, "ignored: marked as spam by the receiving server (X-Spam: yes)"},
		{"SpamAssassin says it is not spam", strings.Replace(realReply, "From: ", "X-Spam-Flag: NO\nX-Spam-Status: No, score=-0.1 required=5.0 tests=DKIM_SIGNED,DKIM_VALID\n\tautolearn=ham version=4.0.0\nFrom: ", 1), Inbox, "ana-lima replied"},
		{"a From line naming four addresses, three of them contacts", `From: Ana Lima <ana@example.org>, Bo <bo@example.net>, "Ana" <Ana.Lima@gmail.com>, someone@elsewhere.example
Sender: x@forger.example
To: me@home.example
Subject: we all agree
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <f1@forger.example>

`, Inbox, "ignored: the From line names 4 addresses; a reply comes from one person"},
		{"two From lines", "From: someone@elsewhere.example\nFrom: Bo <bo@example.net>\nTo: me@home.example\nDate: Mon, 30 Nov 2026 18:00:00 +0000\nMessage-ID: <f2@forger.example>\n\n",
			Inbox, "ignored: the From line names 2 addresses; a reply comes from one person"},
		{"Gmail found DMARC failed", `Authentication-Results: mx.google.com;
       dkim=fail header.i=@example.org header.s=s1 header.b=AbCdEf12;
       spf=softfail (google.com: domain of transitioning ana@example.org does not designate 203.0.113.9 as permitted sender) smtp.mailfrom=ana@example.org;
       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=example.org
From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <g1@forger.example>

`, Inbox, "ignored: perhaps forged: the receiving server found DMARC failed for the sender's domain (Authentication-Results)"},
		{"Microsoft 365 found DMARC failed (its header has no authserv-id)", `Authentication-Results: spf=fail (sender IP is 203.0.113.9)
 smtp.mailfrom=example.net; dkim=none (message not signed)
 header.d=none;dmarc=fail action=none header.from=example.net;compauth=fail
 reason=001
From: Bo <bo@example.net>
To: me@home.example
Subject: Re: the photos
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <ms1@forger.example>

`, Inbox, "ignored: perhaps forged: the receiving server found DMARC failed for the sender's domain (Authentication-Results)"},
		{"OpenDKIM found her domain's signature failed", `Authentication-Results: mail.home.example;
	dkim=fail reason="signature verification failed" (2048-bit key; unprotected) header.d=example.org header.i=@example.org header.b="Qm9vaw"
From: Ana Lima <ana@example.org>
To: me@home.example
Subject: Re: dinner on Friday?
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <k1@forger.example>

`, Inbox, "ignored: perhaps forged: the receiving server found the DKIM signature of the sender's domain failed (Authentication-Results)"},
		{"a failed signature of another domain beside hers that passed", strings.Replace(realReply, `dmarc=pass (p=quarantine dis=none) header.from=example.org`, `dkim=fail (bad signature) header.d=esp.example;
	dmarc=pass header.from=example.org`, 1), Inbox, "ana-lima replied"},
		{"a broken signature of her domain, DMARC passed", `Authentication-Results: mx.home.example; dkim=fail (body hash did not verify) header.d=example.org; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org
From: Ana Lima <ana@example.org>
To: me@home.example
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <k2@example.org>

`, Inbox, "ana-lima replied"},
		{"DMARC failed for another domain than the From's", `Authentication-Results: mx.home.example; dmarc=fail header.from=other.example
From: Ana Lima <ana@example.org>
To: me@home.example
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <k3@example.org>

`, Inbox, "ana-lima replied"},
		{"a forged pass below the server's fail", `Authentication-Results: mx.home.example; dkim=none; dmarc=fail (p=none) header.from=example.org
Received: from forger.example (forger.example [203.0.113.9]) by mx.home.example
Authentication-Results: mx.home.example; dkim=pass header.d=example.org; dmarc=pass header.from=example.org
From: Ana Lima <ana@example.org>
To: me@home.example
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <k4@forger.example>

`, Inbox, "ignored: perhaps forged: the receiving server found DMARC failed for the sender's domain (Authentication-Results)"},
		{"the server's pass above a fail the sender wrote", `Authentication-Results: mx.home.example; dkim=pass header.d=example.org; dmarc=pass header.from=example.org
Authentication-Results: mx.home.example; dmarc=fail header.from=example.org
From: Ana Lima <ana@example.org>
To: me@home.example
Date: Mon, 30 Nov 2026 18:00:00 +0000
Message-ID: <k5@example.org>

`, Inbox, "ana-lima replied"},
		{"a sent message to a contact in Bcc only", `From: Me <me@home.example>
To: undisclosed-recipients:;
Bcc: Bo <bo@example.net>
Subject: the photos
Date: Sun, 29 Nov 2026 10:00:00 +0000
Message-ID: <b1@home.example>

`, Sent, "bo reached-out"},
		{"a sent mailing to six in Bcc", `From: Me <me@home.example>
To: me@home.example
Bcc: bo@example.net, a@x.example, b@x.example, c@x.example, d@x.example, e@x.example
Subject: we moved
Date: Sun, 29 Nov 2026 10:00:00 +0000
Message-ID: <b2@home.example>

`, Sent, "ignored: sent to 7 people (more than max_recipients = 5)"},
	}
	for _, tc := range tests {
		if got := judge(t, p, tc.raw, tc.role); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestParseDate reads a Date written with a zone name in that zone
// (RFC 5322's obsolete zones), whatever the machine's own zone.
func TestParseDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Mon, 30 Nov 2026 18:00:00 EST":            "2026-11-30T23:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 EDT":            "2026-11-30T22:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 CST":            "2026-12-01T00:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 CDT":            "2026-11-30T23:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 MST":            "2026-12-01T01:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 MDT":            "2026-12-01T00:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 PST":            "2026-12-01T02:00:00Z",
		"30 Nov 2026 18:00 PDT":                    "2026-12-01T01:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 pdt":            "2026-12-01T01:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 GMT":            "2026-11-30T18:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 UT":             "2026-11-30T18:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 Z":              "2026-11-30T18:00:00Z", // military: -0000
		"Mon, 30 Nov 2026 18:00:00 CET":            "2026-11-30T18:00:00Z", // not RFC 5322's: -0000
		"Mon, 30 Nov 2026 18:00:00 +0100 CET":      "2026-11-30T17:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 -0500 (EST)":    "2026-11-30T23:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 EST (New York)": "2026-11-30T23:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 +0000":          "2026-11-30T18:00:00Z",
		"Mon, 30 Nov 2026 18:00:00 +0530 (IST)":    "2026-11-30T12:30:00Z",
		"Mon, 30 Nov 2026 18:00:00 -0800 (PST)":    "2026-12-01T02:00:00Z",
	} {
		d, err := parseDate(in)
		if err != nil || d.UTC().Format(time.RFC3339) != want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", in, d.UTC(), err, want)
		}
	}
	for _, bad := range []string{"never", "Mon, 30 Nov 2026", ""} {
		if d, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) = %v; want an error", bad, d)
		}
	}
	// Through ParseHeader, as a sync reads it.
	m, _ := mail.ReadMessage(strings.NewReader("From: ana@example.org\nDate: Mon, 30 Nov 2026 18:00:00 PDT\n\n"))
	if h, err := ParseHeader(m.Header); err != nil || !h.Date.Equal(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("a PDT Date: %v, %v", h.Date, err)
	}
}

// A message without a Date takes the time the server received it; one
// with a Date keeps its own.
func TestReceivedDate(t *testing.T) {
	t.Parallel()
	p := index(t)
	got := time.Date(2026, 11, 30, 17, 59, 0, 0, time.UTC)
	m, _ := mail.ReadMessage(strings.NewReader("From: Ana <ana@example.org>\nTo: me@home.example\nMessage-ID: <nd@example.org>\n\n"))
	h, err := ParseHeader(m.Header)
	if err != nil || !h.Date.IsZero() {
		t.Fatalf("%+v, %v", h, err)
	}
	if l := Match(h, Inbox, p, "maildir:home", 5); l.Ignored != "no readable Date" {
		t.Errorf("no Date and no received date: %+v", l)
	}
	h.receivedAt(got)
	l := Match(h, Inbox, p, "maildir:home", 5)
	if len(l.Events) != 1 || !l.Events[0].At.Equal(got) || l.Note == "" {
		t.Errorf("no Date, received %v: %+v", got, l)
	}
	dated := Header{From: []string{"ana@example.org"}, Date: got.Add(-time.Hour)}
	dated.receivedAt(got)
	if !dated.Date.Equal(got.Add(-time.Hour)) || dated.DateReceived {
		t.Errorf("a Date was replaced by the received date: %+v", dated)
	}
}

// The IMAP fetch asks for headerFields only: a message cut down to them
// must read as the whole message does.
func TestHeaderFieldsCoverParse(t *testing.T) {
	t.Parallel()
	raw := `Return-Path: <>
Received: from x by y
Authentication-Results: mx.home.example; dmarc=fail header.from=example.org
X-Spam-Flag: NO
X-Spam-Status: No, score=0.1
X-Spam: No
From: Ana <ana@example.org>
To: me@home.example
Cc: bo@example.net
Bcc: x@example.org
Subject: Automatic reply: hi
Date: Mon, 30 Nov 2026 18:00:00 EST
Message-ID: <a@b>
List-Id: <l.example.org>
List-Unsubscribe: <mailto:u@example.org>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Feedback-ID: 1:2:3
Auto-Submitted: auto-replied
Precedence: bulk
X-Autoreply: yes
X-Auto-Response-Suppress: All
Content-Type: multipart/report; report-type=delivery-status; boundary=b
X-Other: never read

`
	whole, _ := mail.ReadMessage(strings.NewReader(raw))
	want, err := ParseHeader(whole.Header)
	if err != nil {
		t.Fatal(err)
	}
	cut := mail.Header{}
	for _, f := range headerFields {
		k := textproto.CanonicalMIMEHeaderKey(f)
		if v, ok := whole.Header[k]; ok {
			cut[k] = v
		}
	}
	got, _ := ParseHeader(cut)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cut to headerFields:\n%+v\nwhole:\n%+v", got, want)
	}
	// Every field of Header is filled from the message above, so one the
	// parser reads but the fetch does not ask for shows as a difference.
	v := reflect.ValueOf(want)
	for i := range v.NumField() {
		if v.Field(i).IsZero() && v.Type().Field(i).Name != "DateReceived" {
			t.Errorf("the test message leaves Header.%s empty", v.Type().Field(i).Name)
		}
	}
}

// authResults reads the shapes receiving servers write.
func TestAuthResults(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=AbCd;\r\n       spf=pass (google.com: domain of ana@example.org designates 198.51.100.7 as permitted sender) smtp.mailfrom=ana@example.org;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org": "dkim=pass header.i=@example.org header.s=s1 header.b=AbCd|spf=pass smtp.mailfrom=ana@example.org|dmarc=pass header.from=example.org",
		"spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=example.org; dkim=pass (signature was verified) header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass reason=100":                                                                                                  "spf=pass smtp.mailfrom=example.org|dkim=pass header.d=example.org|dmarc=pass action=none header.from=example.org|compauth=pass reason=100",
		`mx.home.example 1; dkim/1=fail reason="bad; very bad" (a (nested; comment) here) header.d=Example.ORG`:                                                                                                                                                                                            `dkim=fail header.d=Example.ORG reason=bad; very bad`,
		"mx.home.example; none": "",
		"":                      "",
	} {
		var parts []string
		for _, r := range authResults(in) {
			s := r.method + "=" + r.result
			for _, k := range []string{"smtp.mailfrom", "header.i", "header.s", "header.b", "header.d", "action", "header.from", "reason"} {
				if v, ok := r.props[k]; ok {
					s += " " + k + "=" + v
				}
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, "|"); got != want {
			t.Errorf("authResults(%q):\n got %s\nwant %s", in, got, want)
		}
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
		"From: ana@example.org, bo@example.net\nDate: 30 Nov 2026 18:00 EST\n\n",
		"From: ana@example.org\nBcc: bo@example.net\nDate: Mon, 30 Nov 2026 18:00:00 PDT\nSubject: =?utf-8?q?R=C3=A9ponse_automatique_:?=\n\n",
		"Authentication-Results: x; dkim=fail header.d=example.org (a \"(b;\" c) ; dmarc=pass\nFrom: ana@example.org\nDate: Mon, 30 Nov 2026 18:00:00 +0000\n\n",
		"Authentication-Results: spf=fail smtp.mailfrom=example.org;dmarc=fail header.from=\"example.org\"\nFrom: ana@example.org\nDate: Mon, 30 Nov 2026 18:00:00 +0000\n\n",
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
		if role == Inbox && len(h.From) != 1 && len(l.Events) > 0 {
			t.Fatalf("events %v from a From line naming %d addresses", l.Events, len(h.From))
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

// outOfOfficePrefix's quick refusal of a subject that starts as no prefix
// does answers as the full comparison does.
func TestOutOfOfficeOpening(t *testing.T) {
	subjects := []string{"", "Re: lunch", "re", "  Automatic reply: gone", "\u00a0\u202fOut of Office: away",
		"AUTO-REPLY : x", "Réponse automatique : absent", "RÉPONSE AUTOMATIQUE: absent", "Out\u00a0of office: x",
		"Automatische Antwort: weg", "AUTOMATYCZNA ODPOWIEDŹ: x", "\xffauto reply: x", "aut\xff", "İauto reply: x",
		"=?utf-8?q?Automatic_reply=3A_gone?=", "Au", "autoreply", "autoreply:", "Fwd: Automatic reply: x"}
	for _, p := range outOfOfficePrefixes {
		subjects = append(subjects, p+" x", strings.ToUpper(p)+" x", " "+strings.ToUpper(p[:1])+p[1:])
	}
	for _, s := range subjects {
		if got, want := outOfOfficePrefix(s), decodedPrefix(s); got != want {
			t.Errorf("outOfOfficePrefix(%q) = %q; the full comparison says %q", s, got, want)
		}
	}
}

func TestSaysFail(t *testing.T) {
	for _, v := range []string{"", "fail", "FAIL", "dkim=Fail", "dmarc=pass", "fai", "xfAiLx", "FAİL", "fa\u0130l", "f\u00e4il", "FAIL\xff", "fa\x89l", "f&il", "F!IL"} {
		if got, want := saysFail(v), strings.Contains(strings.ToLower(v), "fail"); got != want {
			t.Errorf("saysFail(%q) = %v; want %v", v, got, want)
		}
	}
}
