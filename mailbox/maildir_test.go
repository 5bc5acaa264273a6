package mailbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// deliver writes a message into a Maildir folder, as a mail program does:
// into tmp/, then renamed into new/ (or cur/ once read).
func deliver(t *testing.T, folder, sub, name, headers string, mod time.Time) {
	t.Helper()
	for _, d := range []string{"tmp", "new", "cur"} {
		os.MkdirAll(filepath.Join(folder, d), 0o700)
	}
	tmp := filepath.Join(folder, "tmp", name)
	body := strings.ReplaceAll(headers, "\n", "\r\n") + "\r\nThe body, which rekindle never reads.\r\n"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, mod, mod); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(folder, sub, name)); err != nil {
		t.Fatal(err)
	}
}

func msg(from, to, date, id string, extra ...string) string {
	return fmt.Sprintf("From: %s\nTo: %s\nDate: %s\nMessage-ID: <%s>\nSubject: a private subject\n%s", from, to, date, id, strings.Join(extra, ""))
}

func TestMaildirSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	inbox, sent := filepath.Join(root, "INBOX"), filepath.Join(root, "Sent")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	old, older := now.Add(-24*time.Hour), now.Add(-30*time.Hour)
	deliver(t, inbox, "cur", "1.a", msg("Ana <ana@example.org>", "me@home.example", "Mon, 30 Nov 2026 18:00:00 +0000", "r1@example.org"), older.Add(-5*time.Hour))
	deliver(t, inbox, "cur", "2.b", msg("news@shop.example", "me@home.example", "Mon, 30 Nov 2026 08:00:00 +0000", "n1@shop.example", "List-Id: <deals.shop.example>\n"), older.Add(-5*time.Hour))
	deliver(t, inbox, "new", "3.c", "From: ana@example.org\nTo: <<<\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n", older.Add(-5*time.Hour))
	deliver(t, inbox, "cur", "4.d", msg("ana@example.org", "me@home.example", "Tue, 02 Jan 2024 10:00:00 +0000", "ancient@example.org"), older)
	deliver(t, sent, "cur", "5.e", msg("me@home.example", "bo@example.net", "Sun, 29 Nov 2026 10:00:00 +0000", "s1@home.example"), old)
	// The same reply, filed into a second folder by a rule: one event.
	archive := filepath.Join(root, "Archive")
	deliver(t, archive, "cur", "6.f", msg("Ana <ana@example.org>", "me@home.example", "Mon, 30 Nov 2026 18:00:00 +0000", "r1@example.org"), old)

	cfg, err := config.Parse(filepath.Join(root, "config.toml"), []byte(people+`
[sources.home]
type = "maildir"
path = "`+root+`"
[sources.archive]
type = "maildir"
path = "`+root+`"
inbox = "Archive"
sent = "Sent"
`))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p := NewPeople(cfg)
	sync := func(name string, dry bool) (Result, []Seen) {
		t.Helper()
		var seen []Seen
		s := &Sync{Source: cfg.Sources[name], People: p, Store: j, Now: now, DryRun: dry, Seen: func(x Seen) { seen = append(seen, x) }}
		res, err := s.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res, seen
	}

	// A dry run says what it would learn and writes nothing.
	res, seen := sync("home", true)
	if res != (Result{Read: 4, Used: 2, Ignored: 1, Malformed: 1}) {
		t.Errorf("dry run: %+v", res)
	}
	var lines []string
	for _, s := range seen {
		lines = append(lines, fmt.Sprintf("%s %v %q %v", s.Role, len(s.Learned.Events), s.Learned.Ignored, s.Problem != ""))
	}
	if all, _ := j.Events(ctx); len(all) != 0 {
		t.Fatalf("the dry run wrote %v", all)
	}

	res, _ = sync("home", false)
	if res.Added != 2 {
		t.Errorf("first sync: %+v; want a reply and an outreach added (%v)", res, lines)
	}
	all, _ := j.Events(ctx)
	if len(all["ana-lima"]) != 1 || all["ana-lima"][0].Kind != journal.Replied || all["ana-lima"][0].Source != "maildir:home" ||
		len(all["bo"]) != 1 || all["bo"][0].Kind != journal.ReachedOut {
		t.Errorf("events %+v", all)
	}

	// The archive holds the same reply: nothing new.
	if res, _ := sync("archive", false); res.Used != 2 || res.Added != 0 {
		t.Errorf("the same messages in another folder: %+v", res)
	}

	// A later sync reads in each folder only what changed since the newest
	// file it read there, and the hour before it (in the inbox the ancient
	// message, which backfill leaves out, in Sent the outreach), and learns
	// the new reply.
	deliver(t, inbox, "new", "7.g", msg("bo@example.net", "me@home.example", "Tue, 01 Dec 2026 11:00:00 +0000", "r2@example.net"), now.Add(-time.Minute))
	res, _ = sync("home", false)
	if res.Read != 2 || res.Added != 1 {
		t.Errorf("second sync: %+v; want the new message and the newest of each folder read, one event learned", res)
	}
	if all, _ := j.Events(ctx); len(all["bo"]) != 2 {
		t.Errorf("bo's events %+v", all["bo"])
	}
}

func TestMaildirMissing(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("c.toml", []byte(people+"[sources.home]\ntype = \"maildir\"\npath = \"/nonexistent/mail\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	defer j.Close()
	_, err = (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/mail/INBOX is not a Maildir folder") {
		t.Errorf("a missing Maildir: %v", err)
	}
}

func writeFile(name, content string) error { return os.WriteFile(name, []byte(content), 0o600) }

// A file dated in the future (touch -d 2099-01-01) is read once, as if it
// came when it was touched, and does not stop later mail from being read:
// the folder's watermark never passes now.
func TestMaildirFileDatedInTheFuture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	inbox := filepath.Join(root, "INBOX")
	os.MkdirAll(filepath.Join(root, "Sent", "cur"), 0o700)
	// The sync's clock is the real one: the time a touch leaves on the
	// inode is the real clock's.
	now := time.Now()
	deliver(t, inbox, "cur", "1.a", msg("ana@example.org", "me@home.example", now.Add(-2*time.Hour).Format(time.RFC1123Z), "a1@example.org"), now.Add(-2*time.Hour))
	deliver(t, inbox, "cur", "2.b", msg("cy@example.com", "me@home.example", now.Add(-3*time.Hour).Format(time.RFC1123Z), "c1@example.com"), now.Add(-3*time.Hour))
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(inbox, "cur", "2.b"), future, future); err != nil {
		t.Fatal(err)
	}
	cfg, j := homeMaildir(t, root)
	sync := func(at time.Time) Result {
		t.Helper()
		res, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: at}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sync(now); res.Read != 2 {
		t.Errorf("first sync read %d messages; want both, the one dated 2099 too", res.Read)
	}
	var state maildirCursor
	(&Sync{Source: cfg.Sources["home"], Store: j}).cursor(ctx, inbox, &state)
	if scanned := time.UnixMilli(state.Scanned); scanned.After(now) {
		t.Errorf("the watermark is %v, after now (%v): later mail would never be read", scanned, now)
	}

	// A real reply, two hours later, is read and learned.
	later := now.Add(2 * time.Hour)
	deliver(t, inbox, "new", "3.c", msg("bo@example.net", "me@home.example", later.Add(-time.Minute).Format(time.RFC1123Z), "b1@example.net"), later.Add(-time.Minute))
	if res := sync(later); res.Added != 1 {
		t.Errorf("a reply after the file dated 2099: %+v; want it learned", res)
	}
	if all, _ := j.Events(ctx); len(all["bo"]) != 1 {
		t.Errorf("bo's events: %+v", all["bo"])
	}
	// Once the watermark is an hour past the touch, the file dated 2099 is
	// not read again: a later sync reads only the newest file (the hour
	// before the watermark is always read again).
	if res := sync(later.Add(2 * time.Hour)); res.Read != 1 {
		t.Errorf("a later sync read %d messages; want 1, the reply (the file dated 2099 is not read again)", res.Read)
	}
}

// A watermark left after now by an older rekindle is not trusted: the
// folder is read again, and a reply written since is learned.
func TestMaildirWatermarkInTheFutureIsReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	inbox := filepath.Join(root, "INBOX")
	os.MkdirAll(filepath.Join(root, "Sent", "cur"), 0o700)
	now := time.Now()
	deliver(t, inbox, "cur", "1.a", msg("bo@example.net", "me@home.example", now.Add(-time.Hour).Format(time.RFC1123Z), "b1@example.net"), now.Add(-time.Hour))
	cfg, j := homeMaildir(t, root)
	if err := j.SetCursor(ctx, "maildir:home", inbox, []byte(`{"scanned":`+strconv.FormatInt(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 10)+`}`)); err != nil {
		t.Fatal(err)
	}
	res, err := (&Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: now}).Run(ctx)
	if err != nil || res.Added != 1 {
		t.Errorf("sync after a watermark of 2099: %+v, %v; want the reply learned", res, err)
	}
}

// A FIFO in place of a message file is refused, not read: the sync does
// not hang on it.
func TestMaildirReadHeaderRefusesFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "1.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := readHeader(fifo, nil); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO read as a message: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO as a message hung")
	}
}

// What a sync writes is written when it is, not when the sync began: a
// reminder enqueued while the sync read (the daemon's first run beside its
// first sync) is then found stale by the reply the sync wrote after it.
// With the sync's start as the event's time, the reply looked older than
// the reminder and the follow-up went out (TestDaemonReplyByIMAPEndsFollowUp
// failed so, one run in four).
func TestSyncWritesAtItsClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	started := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	enqueued, wrote := started.Add(20*time.Millisecond), started.Add(200*time.Millisecond)
	deliver(t, filepath.Join(root, "INBOX"), "cur", "1.a", msg("ana@example.org", "me@home.example", "Tue, 01 Dec 2026 11:00:00 +0000", "r1@example.org"), started.Add(-time.Hour))
	os.MkdirAll(filepath.Join(root, "Sent", "cur"), 0o700)
	cfg, j := homeMaildir(t, root)
	s := &Sync{Source: cfg.Sources["home"], People: NewPeople(cfg), Store: j, Now: started, Clock: func() time.Time { return wrote }}
	if res, err := s.Run(ctx); err != nil || res.Added != 1 {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	changed, err := j.LoggedSince(ctx, enqueued)
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := changed["ana-lima"]; !ok || !at.Equal(wrote) {
		t.Errorf("the reply is logged at %v (%v); want %v, after the reminder enqueued at %v", at, ok, wrote, enqueued)
	}
}

// homeMaildir is the test people's config with one Maildir source, home,
// at root, and a new state file, closed when the test ends.
func homeMaildir(t *testing.T, root string) (*config.Config, *journal.Journal) {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(root, "config.toml"), []byte(people+"[sources.home]\ntype = \"maildir\"\npath = \""+root+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return cfg, j
}
