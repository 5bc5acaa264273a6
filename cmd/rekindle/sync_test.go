package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// goldenNow is when TestSyncGolden syncs.
var goldenNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// goldenContacts are the people of TestSyncGolden's config.
const goldenContacts = `timezone = "Europe/Lisbon"

[[contact]]
name = "Ana Lima"
email = ["ana.lima@gmail.com"]
last_interaction = 2026-06-01

[[contact]]
name = "Bo"
email = ["bo@example.net"]
last_interaction = 2026-06-01

[[contact]]
name = "Cy"
email = ["cy@example.org", "Cy@Work.Example"]
last_interaction = 2026-06-01

[[contact]]
name = "Dee"
email = ["dee@example.com"]
last_interaction = 2026-06-01
`

// goldenAddresses are how the people above (and two strangers) write.
var goldenAddresses = []string{
	`"Ana" <AnaLima+friends@googlemail.com>`, "bo@example.net", `Cy <cy@work.example>`, "dee@example.com",
	`"Lima, Ana" <ana.lima@gmail.com>`, "CY@EXAMPLE.ORG", "stranger@example.org", `"Shop" <news@shop.example>`,
}

// goldenMessage is the i-th message of TestSyncGolden, dated at, for the
// inbox or the sent folder: every kind of message a sync tells apart.
func goldenMessage(i int, sent bool, at time.Time) string {
	date := at.Format(time.RFC1123Z)
	who := goldenAddresses[i%len(goldenAddresses)]
	id := fmt.Sprintf("<m%d@example.org>", i%97) // some ids come twice
	var extra, from, to string
	if sent {
		from, to = "Me <me@home.example>", who
		switch (i / 3) % 9 {
		case 1:
			extra = "Cc: " + goldenAddresses[(i+1)%len(goldenAddresses)] + ", " + who + "\n"
		case 2:
			extra = "Bcc: dee@example.com\n"
		case 3:
			to = "a@x.example, b@x.example, c@x.example, d@x.example, e@x.example, bo@example.net"
		case 4:
			date = at.Add(-7*time.Hour).Format("Mon, 2 Jan 2006 15:04:05") + " EST"
		case 5:
			date = at.Format("2 Jan 2006 15:04 -0700") + " (a comment)"
		case 6:
			date = goldenNow.Add(72 * time.Hour).Format(time.RFC1123Z) // in the future
		case 7:
			date = goldenNow.AddDate(-1, 0, 0).Format(time.RFC1123Z) // before backfill
		}
	} else {
		from, to = who, "me@home.example"
		switch i % 17 {
		case 1:
			extra = "List-Id: <park.lists.example>\n"
		case 2:
			extra = "List-Unsubscribe: <https://shop.example/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
		case 3:
			extra = "Feedback-ID: 1:shop\n"
		case 4:
			extra = "Precedence: bulk\n"
		case 5:
			extra = "Auto-Submitted: auto-replied\n"
		case 6:
			extra = "X-Autoreply: yes\n"
		case 7:
			extra = "Subject: =?utf-8?q?R=C3=A9ponse_automatique_:?= absent\n"
		case 8:
			extra = "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
		case 9:
			extra = "Return-Path: <>\n"
		case 10:
			extra = "X-Spam-Status: Yes, score=7.3 required=5.0\n"
		case 11:
			extra = "Authentication-Results: mx.home.example;\n\tdkim=fail header.d=gmail.com;\n\tdmarc=fail (p=none) header.from=gmail.com\n"
		case 12:
			extra = "Authentication-Results: mx.home.example; dkim=pass (ok) header.i=@work.example; dmarc=pass header.from=work.example\n"
		case 13:
			date = "" // dated by the file or the server
		case 14:
			to = "<<<"
		case 15:
			from = "bo@example.net, dee@example.com"
		case 16:
			date = "not a date"
		}
	}
	var b strings.Builder
	b.WriteString("Received: from mx.example.org by mx.home.example;\n\t" + at.Format(time.RFC1123Z) + "\n")
	fmt.Fprintf(&b, "From: %s\nTo: %s\n", from, to)
	if date != "" {
		b.WriteString("Date: " + date + "\n")
	}
	b.WriteString("Message-ID: " + id + "\n")
	if !strings.Contains(extra, "Subject:") {
		b.WriteString("Subject: Re: a private subject\n")
	}
	b.WriteString(extra + "\nA body rekindle never reads.\n")
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}

// literal is a message appended to the IMAP server.
type literal struct{ *strings.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// goldenInput writes TestSyncGolden's input: a Maildir and an IMAP server
// with the same 300 messages, and a config that reads both.
func goldenInput(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("STATE_DIRECTORY", filepath.Join(dir, "state"))
	t.Setenv("TZ", "UTC")

	mem := imapmemserver.New()
	user := imapmemserver.NewUser("me", "a-secret-pass-0123")
	user.Create("INBOX", nil)
	user.Create("Sent Mail", &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrSent}})
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	for i := range 300 {
		sent := i%3 == 2
		at := goldenNow.Add(-time.Duration(i)*7*time.Hour - 13*time.Minute)
		raw := goldenMessage(i, sent, at)
		folder, imapFolder, sub := filepath.Join(dir, "mail", "INBOX"), "INBOX", "cur"
		if sent {
			folder, imapFolder = filepath.Join(dir, "mail", "Sent"), "Sent Mail"
		}
		if i%5 == 0 {
			sub = "new"
		}
		for _, d := range []string{"cur", "new", "tmp"} {
			os.MkdirAll(filepath.Join(folder, d), 0o755)
		}
		p := filepath.Join(folder, sub, fmt.Sprintf("%d.M%d.golden:2,S", at.Unix(), i))
		if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, at.Add(time.Minute), at.Add(time.Minute))
		// The server's copy of every other message has an id of its own.
		if i%2 == 0 {
			raw = strings.Replace(raw, "@example.org>\r\n", "@imap.example>\r\n", 1)
		}
		if _, err := user.Append(imapFolder, literal{strings.NewReader(raw)}, &imap.AppendOptions{Time: at.Add(2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg = filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`%s
[sources.home]
type = "maildir"
path = "mail"

[sources.work]
type = "imap"
host = %q
port = %s
tls = "none"
username = "me"
password = "a-secret-pass-0123"
max_recipients = 3
`, goldenContacts, host, port)), 0o644)
	return dir, cfg
}

// TestSyncGolden holds what a first sync writes and says on a fixed input
// (a Maildir and an IMAP server with the same 300 messages of every kind,
// a hand-logged event the learned one yields to): the dry run's and the
// sync's reports, the events and the cursors in the state file, and a
// second sync's report, byte for byte as testdata/sync.golden has them.
// UPDATE_GOLDEN=1 writes the file anew.
func TestSyncGolden(t *testing.T) {
	dir, cfg := goldenInput(t)
	var got bytes.Buffer
	cmd := func(args ...string) {
		t.Helper()
		fmt.Fprintf(&got, "$ rekindle %s\n", strings.Join(args, " "))
		var stderr bytes.Buffer
		if code := runAt(append([]string{"--config", cfg}, args...), &got, &stderr, func() time.Time { return goldenNow }); code != 0 {
			t.Fatalf("rekindle %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		got.Write(stderr.Bytes())
	}
	cmd("log", "ana-lima", "replied", "--at", goldenNow.Add(-3*time.Hour).Format(time.RFC3339))
	cmd("sync", "--dry-run")
	cmd("sync")
	cmd("sync")

	db, err := sql.Open("sqlite", filepath.Join(dir, "state", "rekindle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dump := func(title, query string) {
		t.Helper()
		fmt.Fprintf(&got, "== %s\n", title)
		rows, err := db.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line []string
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				line = append(line, strings.ReplaceAll(fmt.Sprint(v), dir, "$DIR"))
			}
			fmt.Fprintln(&got, strings.Join(line, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	dump("events", `SELECT id, contact, kind, at, until, note, source, logged, dedup FROM events ORDER BY id`)
	dump("cursors", `SELECT source, folder, cursor FROM mail_cursors ORDER BY source, folder`)

	golden := filepath.Join("testdata", "sync.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("differs from %s at line %d:\n got: %q\nwant: %q", golden, i+1, g, w)
			}
		}
	}
}

// TestSyncReportInOneWrite: sync's report goes out in one write a
// source (of at most 64 KiB), however many lines it has; the tabwriter
// alone wrote each cell and pad on its own.
func TestSyncReportInOneWrite(t *testing.T) {
	_, cfg := goldenInput(t)
	for _, args := range [][]string{{"sync", "--dry-run"}, {"sync"}} {
		var out countingWriter
		if code := runAt(append([]string{"--config", cfg}, args...), &out, io.Discard, func() time.Time { return goldenNow }); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if lines := bytes.Count(out.Bytes(), []byte("\n")); out.writes > 2 || lines < 100 {
			t.Errorf("%v: %d lines in %d writes; want them in 2, one a source", args, lines, out.writes)
		}
	}
}

// countingWriter counts the writes it takes.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}
