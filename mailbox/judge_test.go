package mailbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/rekindle/rekindle/internal/testsupport/dovecottest"
	"github.com/rekindle/rekindle/journal"
)

// judged is one message of a mailbox as the issue saw it, with the time
// the server received it.
type judged struct {
	role     Role
	name     string
	raw      string // LF line ends
	received time.Time
}

// mailboxAsSeen is a mailbox with a person's newsletter, an Exchange
// out-of-office reply, a message the receiving server found forged, one
// naming two contacts, one marked as spam, a real reply from each, one of
// them without a Date, and a message to Bo in Bcc dated in PDT. Of these
// only three teach: wantEvents.
func mailboxAsSeen(day time.Time) []judged {
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	date := func(h int) string { return at(h).Format(time.RFC1123Z) }
	pdt := time.FixedZone("PDT", -7*3600)
	return []judged{
		{Inbox, "1.reply", "Return-Path: <ana@example.org>\nAuthentication-Results: mx.home.example; dkim=pass header.d=example.org; dmarc=pass header.from=example.org\n" +
			msg("Ana Lima <ana@example.org>", "me@home.example", date(18), "r1@example.org"), at(18)},
		{Inbox, "2.newsletter", msg("Ana Lima <ana@example.org>", "me@home.example", date(8), "n1@send.esp.example",
			"List-Unsubscribe: <https://esp.example/u/7731>, <mailto:unsub-7731@esp.example>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\nFeedback-ID: 7731:garden:newsletter:esp\n"), at(8)},
		{Inbox, "3.oof", "Return-Path: <>\n" + msg("Ana Lima <ana@example.org>", "me@home.example", date(19), "oof1@example.org",
			"Thread-Topic: dinner\nX-MS-Has-Attach:\nX-Auto-Response-Suppress: All\n"), at(19)},
		{Inbox, "4.forged", "Authentication-Results: mx.home.example; dkim=none; dmarc=fail (p=none) header.from=example.net\n" +
			"Authentication-Results: mx.home.example; dmarc=pass header.from=example.net\n" +
			msg("Bo <bo@example.net>", "me@home.example", date(20), "f1@forger.example"), at(20)},
		{Inbox, "5.twofrom", msg("ana@example.org, bo@example.net", "me@home.example", date(21), "f2@forger.example"), at(21)},
		{Inbox, "6.spam", "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=8.1 required=5.0\n" + msg("Bo <bo@example.net>", "me@home.example", date(22), "s1@spam.example"), at(22)},
		{Inbox, "7.nodate", "From: Bo <bo@example.net>\nTo: me@home.example\nMessage-ID: <nd@example.net>\nSubject: sent from my phone\n", at(23)},
		{Sent, "8.bcc", "From: me@home.example\nTo: undisclosed-recipients:;\nBcc: Bo <bo@example.net>\nDate: " + at(-10).In(pdt).Format("Mon, 02 Jan 2006 15:04:05 MST") +
			"\nMessage-ID: <b1@home.example>\nSubject: the photos\n", at(-9)},
	}
}

// wantEvents is what mailboxAsSeen(day) teaches.
func wantEvents(day time.Time) []string {
	return []string{
		"ana-lima replied " + day.Add(18*time.Hour).UTC().Format(time.RFC3339),
		"bo reached-out " + day.Add(-10*time.Hour).UTC().Format(time.RFC3339),
		"bo replied " + day.Add(23*time.Hour).UTC().Format(time.RFC3339),
	}
}

func learned(t *testing.T, j *journal.Journal) []string {
	t.Helper()
	all, err := j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for id, evs := range all {
		for _, e := range evs {
			out = append(out, id+" "+string(e.Kind)+" "+e.At.UTC().Format(time.RFC3339))
		}
	}
	slices.Sort(out)
	return out
}

// Through a real Maildir: the file's time dates the message without a
// Date.
func TestJudgeMaildir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, m := range mailboxAsSeen(day) {
		dir := filepath.Join(root, "INBOX")
		if m.role == Sent {
			dir = filepath.Join(root, "Sent")
		}
		deliver(t, dir, "cur", m.name, m.raw, m.received)
	}
	cfg, j := homeMaildir(t, root)
	var notes []string
	res, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: day.Add(48 * time.Hour),
		Seen: func(s Seen) { notes = append(notes, s.Learned.Ignored+s.Learned.Note) }}).Run(ctx)
	if err != nil || res != (Result{Read: 8, Used: 3, Ignored: 5, Added: 3}) {
		t.Errorf("sync: %+v, %v (%q)", res, err, notes)
	}
	if got, want := learned(t, j), wantEvents(day); !slices.Equal(got, want) {
		t.Errorf("learned\n%q\nwant\n%q\n(%q)", got, want, notes)
	}
	if !slices.Contains(notes, "(no Date: dated when the server received it)") {
		t.Errorf("the dry-run lines %q do not say the date came from the server", notes)
	}
}

// Through go-imap's server: the fetch asks for the fields the rules need,
// and INTERNALDATE dates the message without a Date.
func TestJudgeIMAP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	day := time.Now().UTC().Truncate(time.Hour).Add(-72 * time.Hour)
	c, err := imapclient.DialInsecure(srv.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("me", imapPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, m := range mailboxAsSeen(day) {
		folder := "INBOX"
		if m.role == Sent {
			folder = "Sent Mail"
		}
		raw := strings.ReplaceAll(m.raw, "\n", "\r\n") + "\r\nthe body\r\n"
		cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: m.received})
		cmd.Write([]byte(raw))
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	cfg := imapSource(t, srv.addr, "")
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
	if err != nil || res != (Result{Read: 8, Used: 3, Ignored: 5, Added: 3}) {
		t.Errorf("sync: %+v, %v", res, err)
	}
	if got, want := learned(t, j), wantEvents(day); !slices.Equal(got, want) {
		t.Errorf("learned\n%q\nwant\n%q", got, want)
	}
}

// Through a real Dovecot, where the issue saw a newsletter and an
// out-of-office reply learned as replies.
func TestJudgeDovecot(t *testing.T) {
	t.Parallel()
	d := dovecottest.Start(t)
	ctx := context.Background()
	day := time.Now().UTC().Truncate(time.Hour).Add(-72 * time.Hour)
	for _, m := range mailboxAsSeen(day) {
		folder := "INBOX"
		if m.role == Sent {
			folder = "Sent"
		}
		d.Deliver(t, folder, m.name, []byte(strings.ReplaceAll(m.raw, "\n", "\r\n")+"\r\nthe body\r\n"))
		// Dovecot takes a Maildir file's time as its INTERNALDATE.
		dir := d.Maildir
		if folder != "INBOX" {
			dir = filepath.Join(dir, "."+folder)
		}
		if err := chtimes(filepath.Join(dir, "new", m.name), m.received); err != nil {
			t.Fatal(err)
		}
	}
	cfg := dovecotSource(t, d, "implicit", d.IMAPS, fmt.Sprintf("ca_file = %q\n", d.CAFile))
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
	if err != nil || res != (Result{Read: 8, Used: 3, Ignored: 5, Added: 3}) {
		t.Errorf("sync: %+v, %v", res, err)
	}
	if got, want := learned(t, j), wantEvents(day); !slices.Equal(got, want) {
		t.Errorf("learned\n%q\nwant\n%q", got, want)
	}
}

func chtimes(path string, t time.Time) error { return os.Chtimes(path, t, t) }
