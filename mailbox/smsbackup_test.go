package mailbox

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/testsupport/dovecottest"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

// phonePeople are people with numbers, in Britain: Mum's written as a
// British number is dialled, Bo's German one in full, and Cy and Dee share
// a landline.
const phonePeople = `region = "GB"
[[contact]]
name = "Mum"
phone = ["07700 900123"]
[[contact]]
name = "Bo"
email = ["bo@example.net"]
phone = ["+49 151 23456789"]
[[contact]]
name = "Ana Lima"
phone = ["+44 7700 900456"]
[[contact]]
name = "Cy"
phone = ["+44 20 7946 0018"]
[[contact]]
name = "Dee"
phone = ["020 7946 0018"]
`

// smsFix is one message SMS Backup+ wrote, and what a dry run says of it:
// the event and the person, or why it teaches nothing.
type smsFix struct {
	folder   string // "SMS" or "Call log", the app's default folders
	datatype string // SMS, MMS, CALLLOG; "" for a mail that is not the app's
	address  string // X-smssync-address
	typ      int    // X-smssync-type
	at       time.Time
	duration int      // X-smssync-duration of a call
	to       []string // the To line of an MMS; else the app's own
	want     string
}

// raw is the message as SMS Backup+ writes it (MessageGenerator and
// HeaderGenerator in jberkel/sms-backup-plus): the subject and body it
// makes, From and To as e-mail addresses (NUMBER@unknown.email for a
// person the phone has no address of), its Message-ID and References, and
// its X-smssync-* headers, in the order it sets them.
func (f smsFix) raw(id int) string {
	if f.datatype == "" {
		return msg("Someone <someone@example.org>", "me@gmail.com", f.at.Format(time.RFC1123Z), fmt.Sprintf("plain%d@example.org", id)) +
			"\nA mail filed into the folder by hand.\n"
	}
	me, other := "me <me@gmail.com>", fmt.Sprintf("%q <%s@unknown.email>", "Someone", strings.ReplaceAll(f.address, " ", ""))
	outgoing := f.datatype == "SMS" && f.typ != 1 || f.datatype == "CALLLOG" && f.typ == 2 || f.datatype == "MMS" && f.typ == 128
	from, to := other, me
	if outgoing {
		from, to = me, other
	}
	if f.to != nil {
		to = strings.Join(f.to, ", ")
	}
	subject, date := "SMS with Someone", f.at.UnixMilli()
	switch f.datatype {
	case "CALLLOG":
		subject = "Call with Someone"
	case "MMS":
		date = f.at.Unix() // Android keeps an MMS's date in seconds
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: %s\nFrom: %s\nTo: %s\nMIME-Version: 1.0\nContent-Type: text/plain;\n charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n", subject, from, to)
	fmt.Fprintf(&b, "References: <3l5k2j4h.%d@sms-backup-plus.local>\nMessage-ID: <%032x@sms-backup-plus.local>\n", id%7, id*7919)
	fmt.Fprintf(&b, "X-smssync-address: %s\nX-smssync-datatype: %s\nX-smssync-backup-time: 7 Dec 2026 08:00:00 GMT\nX-smssync-version: 1571\n", f.address, f.datatype)
	fmt.Fprintf(&b, "Date: %s\nX-smssync-id: %d\nX-smssync-type: %d\nX-smssync-date: %d\n", f.at.Format(time.RFC1123Z), 1000+id, f.typ, date)
	switch f.datatype {
	case "SMS":
		b.WriteString("X-smssync-thread: 12\nX-smssync-read: 1\nX-smssync-status: -1\nX-smssync-protocol: 0\nX-smssync-service_center: +447785016005\n")
	case "MMS":
		b.WriteString("X-smssync-thread: 12\nX-smssync-read: 1\n")
	case "CALLLOG":
		fmt.Fprintf(&b, "X-smssync-duration: %d\n", f.duration)
	}
	b.WriteString("\nWhat the text said, which rekindle never reads.\n")
	return b.String()
}

// smsFixtures are a phone's texts and calls of the last hours, before
// now, in SMS Backup+'s two folders.
func smsFixtures(now time.Time) []smsFix {
	at := func(h float64) time.Time {
		return now.Add(-time.Duration(h * float64(time.Hour))).Truncate(time.Millisecond).Add(123 * time.Millisecond)
	}
	return []smsFix{
		{"Call log", "CALLLOG", "07700900123", 1, at(20), 754, nil, "talked mum"},
		{"Call log", "CALLLOG", "+4915123456789", 2, at(19), 65, nil, "talked bo"},
		{"Call log", "CALLLOG", "07700900123", 3, at(18), 0, nil, "a call missed"},
		{"Call log", "CALLLOG", "+4915123456789", 5, at(17), 0, nil, "a call rejected"},
		{"Call log", "CALLLOG", "+4915123456789", 6, at(16.5), 0, nil, "a call blocked"},
		{"Call log", "CALLLOG", "07700900123", 4, at(16), 0, nil, "a call that went to voicemail"},
		{"Call log", "CALLLOG", "07700900123", 2, at(15), 0, nil, "a call that lasted no time"}, // nobody picked up
		{"Call log", "CALLLOG", "+447700900999", 1, at(14), 30, nil, "a number of nobody in the config"},
		{"Call log", "CALLLOG", "02079460018", 1, at(13), 300, nil, "a number more than one person has (Cy, Dee)"},
		{"Call log", "CALLLOG", "-1", 1, at(12.5), 40, nil, "a call from a hidden number"},
		{"SMS", "SMS", "+447700900456", 1, at(12), 0, nil, "replied ana-lima"},
		{"SMS", "SMS", "+49 151 23456789", 2, at(11), 0, nil, "reached-out bo"},
		{"SMS", "SMS", "61234", 1, at(10), 0, nil, "a short code, not a person's number"},
		{"SMS", "SMS", "AMAZON", 1, at(9.5), 0, nil, "a sender's name, not a number"},
		{"SMS", "SMS", "07700900123", 5, at(9), 0, nil, "a text that failed to send"},
		{"SMS", "MMS", "07700900123", 132, at(8).Truncate(time.Second), 0,
			[]string{"me <+447700900000@unknown.email>", "Bo <bo@example.net>", `"Ana Lima" <+447700900456@unknown.email>`}, "a group text (3 numbers)"},
		{"SMS", "MMS", "+447700900456", 132, at(7).Truncate(time.Second), 0, []string{"me <+447700900000@unknown.email>"}, "replied ana-lima"},
		{"SMS", "MMS", "insert-address-token", 128, at(6).Truncate(time.Second), 0, []string{"Mum <07700900123@unknown.email>"}, "reached-out mum"},
		{"SMS", "", "", 0, at(5), 0, nil, "not an SMS Backup+ message (no X-smssync-datatype)"},
	}
}

// phoneSource is a config of phonePeople and one source, table.
func phoneSource(t testing.TB, dir, table string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(dir, "c.toml"), []byte(phonePeople+table))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSMSBackup reads SMS Backup+'s folders from a Maildir, go-imap's own
// server and a real Dovecot: each call and text is what phone.Book.Learn
// makes of it, with the reason a dry run gives for each one left; a
// logged talk within 12 hours stands for the call the backup has; the
// folders are read from where the last sync stopped, and the same call
// backed up twice is one event.
func TestSMSBackup(t *testing.T) {
	t.Parallel()
	t.Run("maildir", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		for _, d := range []string{"cur", ".Sent/cur", ".SMS/cur", ".Call log/cur"} {
			os.MkdirAll(filepath.Join(root, d), 0o700)
		}
		n := 0
		put := func(folder, raw string) {
			n++
			deliver(t, filepath.Join(root, "."+folder), "cur", fmt.Sprintf("%d.sms:2,S", n), raw, time.Now())
		}
		cfg := phoneSource(t, root, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\nphone = [\"SMS\", \"Call log\"]\n")
		want := []string{root, root + "/.Sent", root + "/.SMS (phone)", root + "/.Call log (phone)"}
		if got, err := Check(context.Background(), cfg.Sources["home"]); err != nil || !slices.Equal(got, want) {
			t.Errorf("check: %q, %v; want %q", got, err, want)
		}
		testSMSBackup(t, cfg, "home", put)
	})
	t.Run("memimap", func(t *testing.T) {
		t.Parallel()
		srv := startMemIMAP(t)
		srv.user.Create("SMS", nil)
		srv.user.Create("Call log", nil)
		host, port, _ := net.SplitHostPort(srv.addr)
		cfg := phoneSource(t, t.TempDir(), fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\ntls = \"none\"\nusername = \"me\"\npassword = %q\nphone = [\"SMS\", \"Call log\"]\n",
			host, port, imapPassword))
		testSMSBackup(t, cfg, "work", func(folder, raw string) { appendMsg(t, srv.addr, folder, raw) })
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		d := dovecottest.Start(t)
		n := 0
		put := func(folder, raw string) {
			n++
			d.Deliver(t, folder, fmt.Sprintf("%d.sms", n), []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
		}
		cfg := phoneSource(t, t.TempDir(), fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %d\nusername = %q\npassword = %q\nca_file = %q\nphone = [\"SMS\", \"Call log\"]\n",
			d.Host, d.IMAPS, d.User, d.Password, d.CAFile))
		// The folders are there before --check: SMS Backup+ made them.
		put("SMS", smsFix{at: time.Now()}.raw(0))
		put("Call log", smsFix{at: time.Now()}.raw(0))
		got, err := Check(context.Background(), cfg.Sources["work"])
		if err != nil || strings.Join(got, ", ") != "INBOX (inbox), Sent (sent), SMS (phone), Call log (phone)" {
			t.Errorf("check: %q, %v", got, err)
		}
		testSMSBackup(t, cfg, "work", put)
		// What rekindle asked Dovecot for: SMS Backup+'s headers of the
		// phone folders, and never a body.
		var asked strings.Builder
		ins, _ := filepath.Glob(filepath.Join(d.Dir, "rawlog", "*.in"))
		for _, in := range ins {
			b, _ := os.ReadFile(in)
			asked.Write(b)
		}
		a := strings.ToUpper(asked.String())
		if !strings.Contains(a, `BODY.PEEK[HEADER.FIELDS ("X-SMSSYNC-DATATYPE" "X-SMSSYNC-ADDRESS" "X-SMSSYNC-TYPE" "X-SMSSYNC-DATE" "X-SMSSYNC-DURATION" "TO" "DATE")]`) {
			t.Errorf("the phone folders' fetch is not SMS Backup+'s headers only:\n%s", asked.String())
		}
		for _, body := range []string{"BODY[]", "BODY.PEEK[]", "RFC822", "BODY[TEXT]", "BODY.PEEK[TEXT]"} {
			if strings.Contains(a, body) {
				t.Errorf("rekindle asked for %s:\n%s", body, asked.String())
			}
		}
	})
}

// testSMSBackup puts the fixtures into a source's phone folders with put
// and syncs it: first a dry run, then for real, then again.
func testSMSBackup(t *testing.T, cfg *config.Config, source string, put func(folder, raw string)) {
	ctx := context.Background()
	now := time.Now()
	fixtures := smsFixtures(now)
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	run := func(dry bool) (Result, []string) {
		t.Helper()
		var seen []string
		s := &Sync{Source: cfg.Sources[source], People: NewPeople(cfg), Store: j, Now: time.Now(), DryRun: dry, Seen: func(x Seen) {
			if x.Role != Phone {
				t.Errorf("a message of the %s folder seen", x.Role)
			}
			switch {
			case x.Problem != "":
				seen = append(seen, "unreadable: "+x.Problem)
			case x.Learned.Ignored != "":
				seen = append(seen, x.Learned.Ignored)
			default:
				for _, e := range x.Learned.Events {
					seen = append(seen, string(e.Kind)+" "+e.Contact)
				}
			}
		}}
		res, err := s.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(seen)
		return res, seen
	}
	run(false) // what is there before (what made Dovecot's folders)
	for i, f := range fixtures {
		put(f.folder, f.raw(i+1))
	}

	var want []string
	for _, f := range fixtures {
		want = append(want, f.want)
	}
	slices.Sort(want)
	res, seen := run(true)
	if !slices.Equal(seen, want) {
		t.Errorf("dry run:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	if res.Read != len(fixtures) || res.Used != 6 || res.Ignored != len(fixtures)-6 || res.Added != 0 {
		t.Errorf("dry run: %+v", res)
	}

	// Bo's call was logged by hand three hours before the backup's time
	// for it: the log stands for it.
	boCall := fixtures[1].at
	if _, err := j.Add(ctx, journal.Event{Contact: "bo", Kind: journal.Talked, At: boCall.Add(-3 * time.Hour), Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	res, _ = run(false)
	if res.Read != len(fixtures) || res.Added != 5 {
		t.Errorf("sync: %+v; want the %d messages read and 5 events", res, len(fixtures))
	}
	all, _ := j.Events(ctx)
	kinds := func(id string) (out []string) {
		for _, e := range all[id] {
			out = append(out, string(e.Kind)+"@"+e.At.UTC().Format(time.RFC3339Nano)+" "+e.Source)
		}
		slices.Sort(out)
		return out
	}
	label := phone.Source(source) // a call or text is the phone's, whichever source read it
	for id, want := range map[string][]string{
		"mum":      {"reached-out@" + fixtures[17].at.UTC().Format(time.RFC3339Nano) + " " + label, "talked@" + fixtures[0].at.UTC().Format(time.RFC3339Nano) + " " + label},
		"bo":       {"reached-out@" + fixtures[11].at.UTC().Format(time.RFC3339Nano) + " " + label, "talked@" + boCall.Add(-3*time.Hour).UTC().Format(time.RFC3339Nano) + " cli"},
		"ana-lima": {"replied@" + fixtures[10].at.UTC().Format(time.RFC3339Nano) + " " + label, "replied@" + fixtures[16].at.UTC().Format(time.RFC3339Nano) + " " + label},
		"cy":       nil,
		"dee":      nil,
	} {
		if got := kinds(id); !slices.Equal(got, want) {
			t.Errorf("%s's events:\n%q\nwant\n%q", id, got, want)
		}
	}

	// Read again: each folder from where it stopped (a Maildir's, an hour
	// before its newest file), nothing new.
	if res, _ := run(false); res.Added != 0 || cfg.Sources[source].Type == "imap" && res.Read != 0 {
		t.Errorf("a second sync: %+v; want nothing added (nor read over IMAP)", res)
	}
	// The app backs Mum's call up again (after its reset, or from a second
	// phone): a new message, the same call, no new event.
	put("Call log", fixtures[0].raw(99))
	res, seen = run(false)
	talks := 0
	for _, x := range seen {
		if x == "talked mum" {
			talks++
		}
	}
	if res.Added != 0 || cfg.Sources[source].Type == "imap" && (res.Read != 1 || talks != 1) || cfg.Sources[source].Type == "maildir" && talks != 2 {
		t.Errorf("the same call backed up again: %+v %q; want it read and nothing added", res, seen)
	}
}

// TestSMSBackupRecord reads the app's headers one by one: the
// types Android writes, an MMS's date in seconds, the recipient of an MMS
// the user sent, and headers that cannot be read.
func TestSMSBackupRecord(t *testing.T) {
	at := time.Date(2026, 11, 30, 18, 0, 0, 123e6, time.UTC)
	ms := fmt.Sprint(at.UnixMilli())
	for _, tt := range []struct {
		name    string
		headers string
		want    phone.Record
		skip    string
		err     string
	}{
		{"call", "X-smssync-datatype: CALLLOG\nX-smssync-address: 07700900123\nX-smssync-type: 1\nX-smssync-date: " + ms + "\nX-smssync-duration: 61\n",
			phone.Record{Number: "07700900123", At: at, Kind: phone.Call, Way: phone.Incoming, Duration: 61 * time.Second, Parties: 1}, "", ""},
		{"call answered on another device", "X-smssync-datatype: CALLLOG\nX-smssync-address: 07700900123\nX-smssync-type: 7\nX-smssync-date: " + ms + "\nX-smssync-duration: 5\n",
			phone.Record{Number: "07700900123", At: at, Kind: phone.Call, Way: phone.Incoming, Duration: 5 * time.Second, Parties: 1}, "", ""},
		{"call without a duration", "X-smssync-datatype: CALLLOG\nX-smssync-address: 07700900123\nX-smssync-type: 2\nX-smssync-date: " + ms + "\n",
			phone.Record{Number: "07700900123", At: at, Kind: phone.Call, Way: phone.Outgoing, Parties: 1}, "", ""},
		{"lower-case names and values", "x-smssync-datatype: sms\nx-smssync-address: 07700900123\nx-smssync-type: 2\nx-smssync-date: " + ms + "\n",
			phone.Record{Number: "07700900123", At: at, Kind: phone.Text, Way: phone.Outgoing, Parties: 1}, "", ""},
		{"no app date: the Date", "X-smssync-datatype: SMS\nX-smssync-address: 07700900123\nX-smssync-type: 1\nDate: Mon, 30 Nov 2026 18:00:00 +0000\n",
			phone.Record{Number: "07700900123", At: at.Truncate(time.Second), Kind: phone.Text, Way: phone.Incoming, Parties: 1}, "", ""},
		{"MMS date in seconds", "X-smssync-datatype: MMS\nX-smssync-address: +447700900123\nX-smssync-type: 132\nX-smssync-date: " + fmt.Sprint(at.Unix()) + "\nTo: me <+447700900000@unknown.email>\n",
			phone.Record{Number: "+447700900123", At: at.Truncate(time.Second), Kind: phone.Text, Way: phone.Incoming, Parties: 1}, "", ""},
		{"MMS sent: the number in To", "X-smssync-datatype: MMS\nX-smssync-address: +447700900000\nX-smssync-type: 128\nX-smssync-date: " + fmt.Sprint(at.Unix()) + "\nTo: Mum <07700900123@unknown.email>\n",
			phone.Record{Number: "07700900123", At: at.Truncate(time.Second), Kind: phone.Text, Way: phone.Outgoing, Parties: 1}, "", ""},
		{"MMS sent to an address", "X-smssync-datatype: MMS\nX-smssync-address: insert-address-token\nX-smssync-type: 128\nX-smssync-date: " + fmt.Sprint(at.Unix()) + "\nTo: Bo <bo@example.net>\n",
			phone.Record{}, "an MMS you sent whose number the backup does not give", ""},
		{"MMS to two", "X-smssync-datatype: MMS\nX-smssync-address: insert-address-token\nX-smssync-type: 128\nX-smssync-date: " + fmt.Sprint(at.Unix()) + "\nTo: a <1@unknown.email>, b <2@unknown.email>\n",
			phone.Record{Number: "insert-address-token", At: at.Truncate(time.Second), Kind: phone.Text, Way: phone.Outgoing, Parties: 2}, "", ""},
		{"MMS delivery report", "X-smssync-datatype: MMS\nX-smssync-address: 1\nX-smssync-type: 134\nX-smssync-date: 1\n", phone.Record{}, "an MMS report, not a message (type 134)", ""},
		{"draft", "X-smssync-datatype: SMS\nX-smssync-address: 1\nX-smssync-type: 3\nX-smssync-date: " + ms + "\n", phone.Record{}, "a draft, never sent", ""},
		{"queued", "X-smssync-datatype: SMS\nX-smssync-address: 1\nX-smssync-type: 6\nX-smssync-date: " + ms + "\n", phone.Record{}, "a text queued, not sent", ""},
		{"hidden caller", "X-smssync-datatype: CALLLOG\nX-smssync-address: -2\nX-smssync-type: 1\nX-smssync-date: " + ms + "\nX-smssync-duration: 9\n", phone.Record{}, "a call from a hidden number", ""},
		{"unknown call type", "X-smssync-datatype: CALLLOG\nX-smssync-address: 1\nX-smssync-type: 9\nX-smssync-date: " + ms + "\n", phone.Record{}, "a call of a type Android does not write (9)", ""},
		{"unknown datatype", "X-smssync-datatype: WHATSAPP\nX-smssync-type: 1\nX-smssync-date: " + ms + "\n", phone.Record{}, "an SMS Backup+ message of a kind rekindle does not read (WHATSAPP)", ""},
		{"no date at all", "X-smssync-datatype: SMS\nX-smssync-address: 1\nX-smssync-type: 1\n", phone.Record{}, "no X-smssync-date and no Date", ""},
		{"not the app's", "From: a@example.org\nDate: Mon, 30 Nov 2026 18:00:00 +0000\n", phone.Record{}, "not an SMS Backup+ message (no X-smssync-datatype)", ""},
		{"unreadable type", "X-smssync-datatype: SMS\nX-smssync-type: one\n", phone.Record{}, "", `unreadable X-smssync-type: "one" is not a number`},
		{"unreadable date", "X-smssync-datatype: SMS\nX-smssync-type: 1\nX-smssync-date: yesterday\n", phone.Record{}, "", `unreadable X-smssync-date`},
		{"unreadable duration", "X-smssync-datatype: CALLLOG\nX-smssync-address: 1\nX-smssync-type: 1\nX-smssync-date: " + ms + "\nX-smssync-duration: -5\n", phone.Record{}, "", `unreadable X-smssync-duration`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.ReadMessage(strings.NewReader(tt.headers + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			r, skip, err := smsBackupRecord(m.Header)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v; want %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			case tt.skip != "":
				if !strings.HasPrefix(skip, tt.skip) {
					t.Errorf("skip = %q; want %q", skip, tt.skip)
				}
			case skip != "" || !r.At.Equal(tt.want.At) || r.Number != tt.want.Number || r.Kind != tt.want.Kind || r.Way != tt.want.Way ||
				r.Duration != tt.want.Duration || r.Parties != tt.want.Parties:
				t.Errorf("got %+v (skip %q)\nwant %+v", r, skip, tt.want)
			}
		})
	}
}

// FuzzSMSBackupRecord: whatever a phone folder's message says, reading it
// never panics, and a record it hands on is whole: a kind, a way, a time,
// at least one party, no negative duration.
func FuzzSMSBackupRecord(f *testing.F) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i, fx := range smsFixtures(now) {
		f.Add(fx.raw(i))
	}
	f.Add("X-smssync-datatype: CALLLOG\nX-smssync-type: 1\nX-smssync-date: 9223372036854775807\nX-smssync-duration: 9223372036854775807\n\n")
	f.Fuzz(func(t *testing.T, raw string) {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			return
		}
		r, skip, err := smsBackupRecord(m.Header)
		if err != nil || skip != "" {
			return
		}
		if r.Kind == 0 || r.Way == 0 || r.At.IsZero() || r.Parties < 1 || r.Duration < 0 {
			t.Errorf("a record with a part missing: %+v", r)
		}
	})
}

// TestSMSBackupFolderMissing: a phone folder that is not there fails the
// source with its name, and the fix names the phone setting (not inbox
// or sent), over IMAP and in a Maildir.
func TestSMSBackupFolderMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startMemIMAP(t)
	host, port, _ := net.SplitHostPort(srv.addr)
	cfg := phoneSource(t, t.TempDir(), fmt.Sprintf("[sources.work]\ntype = \"imap\"\nhost = %q\nport = %s\ntls = \"none\"\nusername = \"me\"\npassword = %q\nphone = [\"Texts\"]\n",
		host, port, imapPassword))
	root := t.TempDir()
	for _, d := range []string{"cur", ".Sent/cur"} {
		os.MkdirAll(filepath.Join(root, d), 0o700)
	}
	cfg2 := phoneSource(t, root, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\nphone = [\"Texts\"]\n")
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, src := range []*config.Source{cfg.Sources["work"], cfg2.Sources["home"]} {
		_, err := (&Sync{Source: src, People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
		if err == nil || !strings.Contains(err.Error(), "Texts") || !strings.Contains(hint.Of(err), "phone") {
			t.Errorf("%s: %v (hint %q); want the folder named and phone in the fix", src.Type, err, hint.Of(err))
		}
		if _, err := Check(ctx, src); err == nil || !strings.Contains(hint.Of(err), "phone") {
			t.Errorf("%s check: %v (hint %q)", src.Type, err, hint.Of(err))
		}
	}
}

// BenchmarkSMSBackupMaildir10k is the first sync of 10,000 SMS Backup+
// messages (calls and texts of every kind, a year's worth for a busy
// phone) in a Maildir's two phone folders.
func BenchmarkSMSBackupMaildir10k(b *testing.B) {
	root := b.TempDir()
	for _, d := range []string{"cur", ".Sent/cur", ".SMS/cur", ".Call log/cur"} {
		os.MkdirAll(filepath.Join(root, d), 0o700)
	}
	now := time.Now()
	fixtures := smsFixtures(now)
	for i := range 10000 {
		f := fixtures[i%len(fixtures)]
		f.at = f.at.Add(-time.Duration(i) * 15 * time.Minute)
		name := filepath.Join(root, "."+f.folder, "cur", fmt.Sprintf("%d.sms:2,S", i))
		if err := os.WriteFile(name, []byte(strings.ReplaceAll(f.raw(i), "\n", "\r\n")), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg := phoneSource(b, root, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\nphone = [\"SMS\", \"Call log\"]\n")
	ctx := context.Background()
	for b.Loop() {
		j, err := journal.Open(ctx, filepath.Join(b.TempDir(), "r.db"))
		if err != nil {
			b.Fatal(err)
		}
		res, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
		if err != nil || res.Read != 10000 || res.Added == 0 {
			b.Fatalf("%+v, %v", res, err)
		}
		j.Close()
	}
}

// A Maildir of SMS Backup+'s folders alone (a mail program set to sync
// only those labels) reads them, and no inbox or sent folder that is not
// there; one named in the config is read, and missing is an error still.
func TestSMSBackupMaildirOfThePhoneAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "SMS", "cur"), 0o700)
	cfg := phoneSource(t, root, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\nphone = [\"SMS\"]\n")
	if got, err := Check(ctx, cfg.Sources["home"]); err != nil || !slices.Equal(got, []string{root + "/SMS (phone)"}) {
		t.Errorf("check: %q, %v; want the phone's folder alone", got, err)
	}
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx); err != nil {
		t.Errorf("sync of the phone's folder alone: %v", err)
	}
	named := phoneSource(t, root, "[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\ninbox = \"INBOX\"\nphone = [\"SMS\"]\n")
	if _, err := Check(ctx, named.Sources["home"]); err == nil || !strings.Contains(err.Error(), "INBOX") {
		t.Errorf("an inbox named and missing: %v; want an error naming it", err)
	}
}
