package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/smsbackup"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/phone"
)

var backupNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const backupPeople = `
region = "GB"
timezone = "Europe/London"

[[contact]]
id = "mum"
name = "Mum"
phone = ["07700 900123"]

[[contact]]
id = "bo"
name = "Bo"
phone = ["+44 7700 900456"]

[[contact]]
id = "ana"
name = "Ana"
phone = ["+33 6 12 34 56 78"]
`

// backupEnv is a folder of backups, its config, and a state file.
type backupEnv struct {
	dir string
	cfg *config.Config
	j   *journal.Journal
	p   *People
}

func newBackupEnv(t *testing.T) *backupEnv {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "config.toml"), []byte(backupPeople+"[sources.phone]\ntype = \"phonebackup\"\npath = \""+dir+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return &backupEnv{dir: dir, cfg: cfg, j: j, p: NewPeople(cfg)}
}

// sync reads the folder once; seen gets what a dry run would show.
func (e *backupEnv) sync(t *testing.T, dry bool) (Result, []Seen, error) {
	t.Helper()
	var seen []Seen
	s := &Sync{Source: e.cfg.Sources["phone"], People: e.p, Store: e.j, Now: backupNow, DryRun: dry, Seen: func(x Seen) { seen = append(seen, x) }}
	res, err := s.Run(context.Background())
	return res, seen, err
}

// mustSync reads the folder once, keeping nothing of what it saw.
func (e *backupEnv) mustSync(t *testing.T) Result {
	t.Helper()
	s := &Sync{Source: e.cfg.Sources["phone"], People: e.p, Store: e.j, Now: backupNow}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// events lists what the state file learned: "contact kind" each.
func (e *backupEnv) events(t *testing.T) []string {
	t.Helper()
	all, err := e.j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for id, evs := range all {
		for _, ev := range evs {
			if ev.Source != phone.Source("phone") { // a call is the phone's, whichever source read it
				t.Errorf("an event of source %q", ev.Source)
			}
			out = append(out, id+" "+string(ev.Kind)+" "+ev.At.UTC().Format(time.RFC3339))
		}
	}
	slices.Sort(out)
	return out
}

// writeBackup writes a whole file with the app's header, through fill.
func writeBackup(t *testing.T, path string, calls bool, count int, fill func(w *smsbackup.Writer)) []byte {
	t.Helper()
	var b strings.Builder
	w := smsbackup.NewSMS(&b, count)
	if calls {
		w = smsbackup.NewCalls(&b, count)
	}
	fill(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

func ago(d time.Duration) time.Time { return backupNow.Add(-d) }

// mumsCalls writes a file of n calls with Mum, apart from each other, the
// last apart ago, each a second longer than the one before.
func mumsCalls(t *testing.T, path string, n int, apart time.Duration) []byte {
	t.Helper()
	return writeBackup(t, path, true, n, func(w *smsbackup.Writer) {
		for i := range n {
			w.Call(smsbackup.Call{Number: "07700900123", At: ago(time.Duration(n-i) * apart), Type: smsbackup.CallIncoming, Duration: 60 + i})
		}
	})
}

// theCalls are calls of every type the app writes.
func theCalls(w *smsbackup.Writer) {
	w.Call(smsbackup.Call{Number: "07700900123", At: ago(5 * time.Hour), Type: smsbackup.CallIncoming, Duration: 600, Name: "Mum"})
	w.Call(smsbackup.Call{Number: "+447700900456", At: ago(4 * time.Hour), Type: smsbackup.CallOutgoing, Duration: 60})
	w.Call(smsbackup.Call{Number: "07700900123", At: ago(3 * time.Hour), Type: smsbackup.CallMissed})
	w.Call(smsbackup.Call{Number: "07700900123", At: ago(3*time.Hour - time.Minute), Type: smsbackup.CallVoicemail})
	w.Call(smsbackup.Call{Number: "+447700900456", At: ago(2 * time.Hour), Type: smsbackup.CallRejected})
	w.Call(smsbackup.Call{Number: "+447700900456", At: ago(2*time.Hour - time.Minute), Type: smsbackup.CallBlocked})
	w.Call(smsbackup.Call{Number: "+33612345678", At: ago(90 * time.Minute), Type: smsbackup.CallOutgoing, Duration: 0})
	w.Call(smsbackup.Call{Number: "+447700900999", At: ago(80 * time.Minute), Type: smsbackup.CallIncoming, Duration: 30})
	w.Call(smsbackup.Call{Number: "07700900123", At: time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC), Type: smsbackup.CallIncoming, Duration: 60})
	w.Raw(`  <call number="07700900123" duration="60" date="yesterday" type="1" presentation="1" />` + "\n")
}

// theTexts are texts in and out, a draft, a short code, and MMS alone and
// in groups.
func theTexts(w *smsbackup.Writer) {
	w.SMS(smsbackup.SMS{Address: "07700 900456", At: ago(5 * time.Hour), Type: smsbackup.SMSReceived, Body: "See you Sunday?"})
	w.SMS(smsbackup.SMS{Address: "+33612345678", At: ago(4 * time.Hour), Type: smsbackup.SMSSent, Body: "Bonne chance &amp; bisous"})
	w.SMS(smsbackup.SMS{Address: "07700900123", At: ago(3 * time.Hour), Type: 3, Body: "Draft"})
	w.SMS(smsbackup.SMS{Address: "80800", At: ago(3 * time.Hour), Type: smsbackup.SMSReceived, Body: "Your code is 123456"})
	w.SMS(smsbackup.SMS{Address: "+447700900456~+33612345678", At: ago(150 * time.Minute), Type: smsbackup.SMSSent, Body: "Both of you?"})
	w.MMS(smsbackup.MMS{At: ago(2 * time.Hour), Box: 2, To: []string{"+447700900456", "+33612345678"}, Text: "Dinner at 8?"})
	// Some phones list the sender among those it went to.
	w.MMS(smsbackup.MMS{At: ago(90 * time.Minute), Box: 1, From: "+33612345678", To: []string{"+447700900001", "+33612345678"}, Text: "A photo"})
	w.MMS(smsbackup.MMS{At: ago(80 * time.Minute), Box: 1, From: "+447700900456", To: []string{"+447700900001", "+33612345678"}, Text: "Yes!"})
}

// Calls answered either way are talking; missed, voicemail, rejected,
// blocked and calls that lasted no time are nothing; a text they sent is
// their reply, one sent to them an outreach; drafts, short codes and
// group texts (an SMS to several, an MMS sent or received) count for
// nobody; a call older than
// backfill is not read; an unreadable date is said so. A dry run says
// each reason and writes nothing; a second sync reads nothing again.
func TestPhoneBackupSync(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 10, theCalls)
	writeBackup(t, filepath.Join(e.dir, "sms-20261201110000.xml"), false, 8, theTexts)
	os.WriteFile(filepath.Join(e.dir, "notes.xml"), []byte("<notes/>"), 0o600)

	want := Result{Read: 17, Used: 5, Ignored: 11, Malformed: 1}
	res, seen, err := e.sync(t, true)
	if err != nil || res != want {
		t.Fatalf("dry run: %+v, %v; want %+v", res, err, want)
	}
	var reasons []string
	for _, s := range seen {
		if s.Role != Phone {
			t.Errorf("seen in role %s", s.Role)
		}
		reasons = append(reasons, s.Learned.Ignored+s.Problem)
	}
	for _, r := range []string{"a call missed", "a call that went to voicemail", "a call rejected", "a call blocked",
		"a call that lasted no time", "a number of nobody in the config", "a draft, never sent", "a short code",
		"a group text (2 numbers)", `a call whose date "yesterday" is not a time in milliseconds`} {
		found := false
		for _, got := range reasons {
			found = found || strings.Contains(got, r)
		}
		if !found {
			t.Errorf("the dry run does not say %q; it says %q", r, reasons)
		}
	}
	if got := strings.Count(strings.Join(reasons, "|"), "a group text"); got != 3 {
		t.Errorf("%d group texts; want the SMS and the MMS sent and the MMS received", got)
	}
	if evs := e.events(t); len(evs) != 0 {
		t.Fatalf("the dry run wrote %v", evs)
	}

	want.Added = 5
	if res := e.mustSync(t); res != want {
		t.Errorf("sync: %+v; want %+v", res, want)
	}
	wantEvents := []string{
		"ana reached-out " + ago(4*time.Hour).Format(time.RFC3339),
		"ana replied " + ago(90*time.Minute).Format(time.RFC3339),
		"bo replied " + ago(5*time.Hour).Format(time.RFC3339),
		"bo talked " + ago(4*time.Hour).Format(time.RFC3339),
		"mum talked " + ago(5*time.Hour).Format(time.RFC3339),
	}
	if got := e.events(t); !slices.Equal(got, wantEvents) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantEvents, "\n"))
	}
	if res := e.mustSync(t); res.Read != 0 || res.Added != 0 {
		t.Errorf("a second sync: %+v; want nothing read again", res)
	}
}

// The next backup writes the file again from scratch (the same name, or
// a new one), with every call the phone still has and one more: only the
// new call is learned. A file cut shorter is read from the start and adds
// nothing.
func TestPhoneBackupRewrittenFromScratch(t *testing.T) {
	e := newBackupEnv(t)
	calls := filepath.Join(e.dir, "calls-20261201110000.xml")
	writeBackup(t, calls, true, 10, theCalls)
	if res := e.mustSync(t); res.Added != 2 {
		t.Fatalf("first sync: %+v", res)
	}
	more := func(w *smsbackup.Writer) {
		theCalls(w)
		w.Call(smsbackup.Call{Number: "07700900123", At: ago(time.Hour), Type: smsbackup.CallOutgoing, Duration: 1200})
	}
	writeBackup(t, calls, true, 11, more)
	if res := e.mustSync(t); res.Read != 10 || res.Added != 1 {
		t.Errorf("the same file rewritten with one call more: %+v; want all read again, one call learned", res)
	}
	writeBackup(t, filepath.Join(e.dir, "calls-20261202110000.xml"), true, 11, more)
	if res := e.mustSync(t); res.Read != 10 || res.Added != 0 {
		t.Errorf("the next backup, a new file with the same calls: %+v; want all read, nothing learned", res)
	}
	writeBackup(t, calls, true, 2, func(w *smsbackup.Writer) {
		w.Call(smsbackup.Call{Number: "07700900123", At: ago(5 * time.Hour), Type: smsbackup.CallIncoming, Duration: 600})
		w.Call(smsbackup.Call{Number: "07700900123", At: ago(time.Hour), Type: smsbackup.CallOutgoing, Duration: 1200})
	})
	if res := e.mustSync(t); res.Read != 2 || res.Added != 0 {
		t.Errorf("a file cut shorter: %+v; want it read from the start, nothing learned", res)
	}
	if got := e.events(t); len(got) != 3 {
		t.Errorf("events %v; want Mum's two calls and Bo's one", got)
	}
}

// A file being synced right now ends inside an element: what is whole is
// read, and the next sync resumes after the last whole record, once the
// rest has come.
func TestPhoneBackupCutOffMidElement(t *testing.T) {
	e := newBackupEnv(t)
	path := filepath.Join(e.dir, "calls-20261201110000.xml")
	whole := mumsCalls(t, path, 50, time.Hour)
	// Cut in the middle of the 31st call, within its attributes.
	nth := 0
	cut := 0
	for i := range whole {
		if strings.HasPrefix(string(whole[i:]), "<call ") {
			if nth++; nth == 31 {
				cut = i + 40
				break
			}
		}
	}
	os.WriteFile(path, whole[:cut], 0o600)
	if res := e.mustSync(t); res.Read != 30 || res.Added != 30 {
		t.Fatalf("a file cut off in its 31st call: %+v; want 30 read and learned", res)
	}
	raw, _ := e.j.Cursor(context.Background(), "phonebackup:phone", path)
	var c backupCursor
	json.Unmarshal(raw, &c)
	if end := strings.LastIndex(string(whole[:cut]), "/>") + 2; c.Offset != int64(end) {
		t.Errorf("cursor at %d; want %d, the end of the 30th call", c.Offset, end)
	}
	os.WriteFile(path, whole, 0o600)
	if res := e.mustSync(t); res.Read != 20 || res.Added != 20 {
		t.Errorf("the rest come: %+v; want the 20 others read and learned, not the 30 again", res)
	}
}

// A body of invalid UTF-8, of the lone surrogates as character references
// that the app writes for an emoji, of markup escaped and of a control
// character does not stop the file: the texts after it count.
func TestPhoneBackupInvalidUTF8(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "sms-20261201110000.xml"), false, 4, func(w *smsbackup.Writer) {
		w.SMS(smsbackup.SMS{Address: "07700900123", At: ago(5 * time.Hour), Type: smsbackup.SMSReceived, Body: "caf\xe9 \xff\xfe\xfd ok"})
		w.SMS(smsbackup.SMS{Address: "07700900123", At: ago(4 * time.Hour), Type: smsbackup.SMSSent, Body: "&#55357;&#56832; &lt;3 \x01"})
		w.SMS(smsbackup.SMS{Address: "+447700900456", At: ago(3 * time.Hour), Type: smsbackup.SMSReceived, Body: "\xc3"})
		w.SMS(smsbackup.SMS{Address: "+33612345678", At: ago(2 * time.Hour), Type: smsbackup.SMSSent, Body: "fin"})
	})
	res := e.mustSync(t)
	if res.Read != 4 || res.Added != 4 || res.Malformed != 0 {
		t.Errorf("%+v; want the four texts read and learned", res)
	}
}

// A DOCTYPE that declares entities (billion laughs) is refused with an
// error naming the file, having expanded nothing; the folder's other
// files are read.
func TestPhoneBackupEntityBomb(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 10, theCalls)
	var bomb strings.Builder
	bomb.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE smses [\n <!ENTITY lol \"lol\">\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, " <!ENTITY lol%d \"%s\">\n", i, strings.Repeat("&"+prev+";", 10))
		prev = fmt.Sprintf("lol%d", i)
	}
	bomb.WriteString("]>\n<smses count=\"1\">\n  <sms protocol=\"0\" address=\"&lol9;\" date=\"1764583200000\" type=\"1\" body=\"&lol9;\" />\n</smses>\n")
	os.WriteFile(filepath.Join(e.dir, "sms-20261201110000.xml"), []byte(bomb.String()), 0o600)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	res, _, err := e.sync(t, false)
	if err == nil || !strings.Contains(err.Error(), "sms-20261201110000.xml") || !strings.Contains(err.Error(), "DOCTYPE declares entities") {
		t.Errorf("err = %v; want the file refused, named", err)
	}
	if res.Added != 2 {
		t.Errorf("%+v; want the calls file read all the same", res)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("%d MB allocated: the entities were expanded", grew>>20)
	}
}

// A file of 200 MB (660,000 calls, generated here) is read in bounded
// memory: the heap the runtime holds grows by far less than the file,
// which it would hold whole were the file loaded.
func TestPhoneBackupLargeFileBoundedMemory(t *testing.T) {
	e := newBackupEnv(t)
	path := filepath.Join(e.dir, "calls-20261201110000.xml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 660_000
	w := smsbackup.NewCalls(f, n)
	for i := range n {
		c := smsbackup.Call{Number: fmt.Sprintf("+4477009%05d", i%5000), At: ago(time.Duration(n-i) * 10 * time.Second), Type: smsbackup.CallMissed}
		if i%100 == 0 {
			c.Number, c.Type, c.Duration = "07700900123", smsbackup.CallIncoming, 61
		}
		w.Call(c)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	if fi.Size() < 200<<20 {
		t.Fatalf("the file is %d MB; want 200", fi.Size()>>20)
	}
	t.Logf("wrote %d MB", fi.Size()>>20)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := e.mustSync(t)
	runtime.ReadMemStats(&after)
	if res.Read != n || res.Added != n/100 {
		t.Errorf("%+v; want %d read, %d learned", res, n, n/100)
	}
	grew := int64(after.HeapSys) - int64(before.HeapSys)
	t.Logf("read %d MB; the heap grew by %.1f MB", fi.Size()>>20, float64(grew)/(1<<20))
	if grew > 64<<20 {
		t.Errorf("the heap grew by %d MB reading a %d MB file; want under 64", grew>>20, fi.Size()>>20)
	}
}

// sync --check lists the backup files, and says what is wrong with a
// folder that is missing or holds none.
func TestPhoneBackupCheck(t *testing.T) {
	e := newBackupEnv(t)
	src := e.cfg.Sources["phone"]
	if _, err := Check(context.Background(), src); err == nil || !strings.Contains(err.Error(), "has no sms-*.xml or calls-*.xml") {
		t.Errorf("an empty folder: %v", err)
	}
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 10, theCalls)
	writeBackup(t, filepath.Join(e.dir, "sms-20261201110000.xml"), false, 7, theTexts)
	files, err := Check(context.Background(), src)
	if err != nil || len(files) != 2 || filepath.Base(files[0]) != "calls-20261201110000.xml" || filepath.Base(files[1]) != "sms-20261201110000.xml" {
		t.Errorf("Check = %v, %v", files, err)
	}
	// What has a backup's name but is not a file is said to be left
	// out; a folder of many is listed short.
	os.Symlink(filepath.Join(e.dir, "calls-20261201110000.xml"), filepath.Join(e.dir, "calls-link.xml"))
	os.Mkdir(filepath.Join(e.dir, "sms-dir.xml"), 0o700)
	syscall.Mkfifo(filepath.Join(e.dir, "sms-fifo.xml"), 0o600)
	for i := range 20 {
		writeBackup(t, filepath.Join(e.dir, fmt.Sprintf("sms-2026%02d.xml", i)), false, 1, func(*smsbackup.Writer) {})
	}
	files, err = Check(context.Background(), src)
	all := strings.Join(files, ", ")
	for _, want := range []string{"calls-link.xml left out: a symbolic link", "sms-dir.xml left out: a directory", "sms-fifo.xml left out: a FIFO", "18 more", "calls-20261201110000.xml", "sms-202619.xml"} {
		if err != nil || !strings.Contains(all, want) {
			t.Errorf("Check = %q, %v; want it to say %q", all, err, want)
		}
	}
	if len(files) > 8 {
		t.Errorf("Check listed %d entries for 22 files and 3 left out; want them short", len(files))
	}
	src.Spec.(*config.PhoneBackupSpec).Path = filepath.Join(e.dir, "gone")
	if _, err := Check(context.Background(), src); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a missing folder: %v", err)
	}
}

// A backup renamed into the folder (as Syncthing puts a file in place)
// is told of once it settles; a file that is no backup is not.
func TestPhoneBackupWatch(t *testing.T) {
	e := newBackupEnv(t)
	s, err := Open(e.cfg.Sources["phone"])
	if err != nil {
		t.Fatal(err)
	}
	s.(*phoneBackup).settle = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	arrived := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.Watch(ctx, func() { arrived <- struct{}{} }, func(err error) { t.Errorf("failed: %v", err) })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	// The watch is set up once a file written in the folder is seen.
	deadline := time.After(10 * time.Second)
	tmp := filepath.Join(e.dir, ".syncthing.calls-20261201110000.xml.tmp")
	for ready := false; !ready; {
		writeBackup(t, tmp, true, 10, theCalls)
		os.Rename(tmp, filepath.Join(e.dir, "calls-20261201110000.xml"))
		select {
		case <-arrived:
			ready = true
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("a backup renamed into the folder was not told of")
		}
	}
	os.WriteFile(filepath.Join(e.dir, "notes.txt"), []byte("x"), 0o600)
	writeBackup(t, filepath.Join(e.dir, "sms-20261201110000.xml"), false, 7, theTexts)
	select {
	case <-arrived:
	case <-deadline:
		t.Fatal("a backup written in place was not told of")
	}
}

// An MMS's parts are left out as they stream by: a picture of 40 MB in
// one attribute costs no memory, the texts after it count, and a file cut
// off inside the parts, or after them, resumes at the right byte of the
// file.
func TestPhoneBackupMMSPartsLeftOut(t *testing.T) {
	e := newBackupEnv(t)
	path := filepath.Join(e.dir, "sms-20261201110000.xml")
	// The whole file is written aside, streamed, noting where each record
	// ends; the folder gets a prefix of it at a time.
	whole := filepath.Join(t.TempDir(), "whole.xml")
	f, err := os.Create(whole)
	if err != nil {
		t.Fatal(err)
	}
	w := smsbackup.NewSMS(f, 4)
	var ends []int64
	end := func() {
		w.Flush()
		off, _ := f.Seek(0, io.SeekCurrent)
		ends = append(ends, off-1) // before the newline
	}
	w.SMS(smsbackup.SMS{Address: "+447700900456", At: ago(5 * time.Hour), Type: smsbackup.SMSReceived, Body: "Hi"})
	end()
	w.MMS(smsbackup.MMS{At: ago(4 * time.Hour), Box: 1, From: "+33612345678", To: []string{"+447700900001"}, Text: "Look", Picture: 40 << 20})
	end()
	w.SMS(smsbackup.SMS{Address: "07700900123", At: ago(3 * time.Hour), Type: smsbackup.SMSSent, Body: "Lovely"})
	end()
	w.SMS(smsbackup.SMS{Address: "07700900123", At: ago(2 * time.Hour), Type: smsbackup.SMSReceived, Body: "x"})
	end()
	w.Close()
	f.Close()
	prefix := func(n int64) {
		t.Helper()
		src, _ := os.Open(whole)
		defer src.Close()
		dst, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if n < 0 {
			_, err = io.Copy(dst, src)
		} else {
			_, err = io.CopyN(dst, src, n)
		}
		if err != nil {
			t.Fatal(err)
		}
		dst.Close()
	}
	cursor := func() int64 {
		raw, _ := e.j.Cursor(context.Background(), "phonebackup:phone", path)
		var c backupCursor
		json.Unmarshal(raw, &c)
		return c.Offset
	}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	prefix(ends[0] + 20<<20) // cut inside the picture
	if res := e.mustSync(t); res.Read != 1 || res.Added != 1 {
		t.Errorf("cut inside the picture: %+v; want the first text", res)
	}
	if got := cursor(); got != ends[0] {
		t.Errorf("cursor at %d; want %d, after the first text", got, ends[0])
	}
	prefix(ends[2] + 30) // cut inside the fourth text
	if res := e.mustSync(t); res.Read != 2 || res.Added != 2 {
		t.Errorf("cut inside the fourth text: %+v; want the MMS and the third text", res)
	}
	if got := cursor(); got != ends[2] {
		t.Errorf("cursor at %d; want %d, after the third text", got, ends[2])
	}
	prefix(-1)
	if res := e.mustSync(t); res.Read != 1 || res.Added != 1 {
		t.Errorf("the whole file: %+v; want the fourth text alone", res)
	}
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapSys) - int64(before.HeapSys)
	t.Logf("the heap grew by %.1f MB", float64(grew)/(1<<20))
	if grew > 16<<20 {
		t.Errorf("the heap grew by %d MB over a picture of 40 MB", grew>>20)
	}
	if got := e.events(t); len(got) != 4 {
		t.Errorf("events %v", got)
	}
}

// The filter leaves out each <parts> block whatever the reads' sizes (a
// block's marks split between two reads), and maps offsets back to the
// file's.
func TestPartsFilter(t *testing.T) {
	in := `<smses><mms a="1"><parts><part data="<parts>xx" /></parts><addrs/></mms><sms/><mms><parts></parts></mms><sms/></smses>`
	want := `<smses><mms a="1"><addrs/></mms><sms/><mms></mms><sms/></smses>`
	for _, name := range []string{"whole", "one byte", "half"} {
		var r io.Reader = strings.NewReader(in)
		switch name {
		case "one byte":
			r = iotest.OneByteReader(r)
		case "half":
			r = iotest.HalfReader(r)
		}
		f := newPartsFilter(r, int64(len(in)))
		got, err := io.ReadAll(f)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
		for _, mark := range []string{"<sms/>", "</smses>"} {
			out, file := strings.Index(want, mark), strings.Index(in, mark)
			if got := f.fileOffset(int64(out)); got != int64(file) {
				t.Errorf("%s: %s at %d passed on is at %d in the file; want %d", name, mark, out, got, file)
			}
		}
	}
}

// A fault in a file's markup is an error naming the file and where; what
// came before it is learned, once.
func TestPhoneBackupFaultKeepsWhatCameBefore(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 3, func(w *smsbackup.Writer) {
		w.Call(smsbackup.Call{Number: "07700900123", At: ago(5 * time.Hour), Type: smsbackup.CallIncoming, Duration: 600})
		w.Raw("  <!BROKEN>\n")
		w.Call(smsbackup.Call{Number: "+447700900456", At: ago(4 * time.Hour), Type: smsbackup.CallOutgoing, Duration: 60})
	})
	for range 2 {
		res, _, err := e.sync(t, false)
		if err == nil || !strings.Contains(err.Error(), "calls-20261201110000.xml: after byte ") {
			t.Errorf("err = %v; want the file and the place named", err)
		}
		if res.Read > 1 {
			t.Errorf("%+v; want the first call alone", res)
		}
	}
	if got := e.events(t); len(got) != 1 || !strings.HasPrefix(got[0], "mum talked") {
		t.Errorf("events %v; want Mum's call", got)
	}
}

// A folder of many backups read again with nothing new costs little: the
// app ends each file with a newline after its root, so every file has a
// byte past its cursor, and reading that byte must not cost a file's
// worth of buffers (256 KB and 64 KB each: 10,000 files made 3 GB of
// garbage, 1.9 s and 140 MB resident a sync, every interval).
func TestPhoneBackupManyFilesReadAgainCheaply(t *testing.T) {
	e := newBackupEnv(t)
	const files = 200
	for i := range files {
		writeBackup(t, filepath.Join(e.dir, fmt.Sprintf("sms-2026120%04d.xml", i)), false, 1, func(w *smsbackup.Writer) {
			w.SMS(smsbackup.SMS{Address: "07700 900456", At: ago(time.Duration(i) * time.Minute), Type: smsbackup.SMSReceived, Body: "hi"})
		})
	}
	if res := e.mustSync(t); res.Added != files {
		t.Fatalf("%+v; want %d learned", res, files)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := e.mustSync(t)
	runtime.ReadMemStats(&after)
	if res.Read != 0 || res.Added != 0 {
		t.Errorf("read again: %+v; want nothing read", res)
	}
	per := (after.TotalAlloc - before.TotalAlloc) / files
	t.Logf("%d bytes allocated a file read again", per)
	if per > 48<<10 {
		t.Errorf("reading again a file with nothing new allocated %d KB; want under 48", per>>10)
	}
}

// A call dated out of range (a date of 16 digits, the largest int64) is
// ignored in words about a call's time: a call has no Date header.
func TestPhoneBackupTimeOutOfRange(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 2, func(w *smsbackup.Writer) {
		w.Raw(`  <call number="07700900123" duration="60" date="9999999999999999" type="1" />` + "\n")
		w.Raw(`  <call number="07700900123" duration="60" date="9223372036854775807" type="1" />` + "\n")
	})
	res, seen, err := e.sync(t, true)
	if err != nil || res.Ignored != 2 || len(seen) != 2 {
		t.Fatalf("%+v, %d seen, %v; want 2 ignored", res, len(seen), err)
	}
	for _, s := range seen {
		if why := s.Learned.Ignored; !strings.HasPrefix(why, "a time out of range: ") {
			t.Errorf("ignored as %q; want \"a time out of range: ...\"", why)
		}
	}
}

// A file cut shorter while it is read (a cloud client writing it again in
// place) is no error: what was read of it is read again when it is
// whole, from its start, and counts once. It was "calls-...xml: EOF".
func TestPhoneBackupTruncatedWhileRead(t *testing.T) {
	e := newBackupEnv(t)
	path := filepath.Join(e.dir, "calls-20261201110000.xml")
	whole := mumsCalls(t, path, 5000, time.Minute)
	n := 0
	s := &Sync{Source: e.cfg.Sources["phone"], People: e.p, Store: e.j, Now: backupNow, Seen: func(Seen) {
		if n++; n == 100 { // well past what is left: the read has buffered more than 10 KB
			if err := os.Truncate(path, 10<<10); err != nil {
				t.Fatal(err)
			}
		}
	}}
	if _, err := s.Run(context.Background()); err != nil {
		t.Errorf("a file cut shorter while read: %v; want no error", err)
	}
	cut := e.mustSync(t) // the 10 KB left, to their last complete call
	if err := os.WriteFile(path, whole, 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustSync(t)
	if got := len(e.events(t)); cut.Added == 0 || got != 5000 {
		t.Errorf("%d learned from the cut file, %d in all; want some, then 5000", cut.Added, got)
	}
}

// A tag larger than the app ever writes outside an MMS's parts (a 100 MB
// attribute) is refused as it streams by, not held: the heap stays small,
// the error names the file and the place, and what came before counts.
func TestPhoneBackupHugeTagRefused(t *testing.T) {
	e := newBackupEnv(t)
	writeBackup(t, filepath.Join(e.dir, "calls-20261201110000.xml"), true, 3, func(w *smsbackup.Writer) {
		w.Call(smsbackup.Call{Number: "07700900123", At: ago(5 * time.Hour), Type: smsbackup.CallIncoming, Duration: 600})
		w.Raw(`  <call number="+447700900456" duration="60" date="` + strconv.FormatInt(ago(4*time.Hour).UnixMilli(), 10) + `" type="2" junk="` + strings.Repeat("A", 100<<20) + "\" />\n")
		w.Call(smsbackup.Call{Number: "+447700900456", At: ago(3 * time.Hour), Type: smsbackup.CallOutgoing, Duration: 60})
	})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := e.sync(t, false)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "calls-20261201110000.xml: after byte ") || !strings.Contains(err.Error(), "a tag of more than") {
		t.Errorf("err = %v; want the file, the place and the tag named", err)
	}
	if got := e.events(t); len(got) != 1 || !strings.HasPrefix(got[0], "mum talked") {
		t.Errorf("events %v; want Mum's call", got)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
		t.Errorf("the read allocated %d MB for a 100 MB attribute; want under 32", n>>20)
	}
}

// An MMS to a great many numbers (a hostile file's million <addr/>) is a
// group text held in bounded memory: the reader keeps a few hundred of
// its numbers, not all, and still counts it a group of them all.
func TestPhoneBackupMMSOfManyHeldShort(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<smses count="1"><mms date="1796000000000" msg_box="2" address="x"><addrs>`)
	const n = 20000
	for i := range n {
		fmt.Fprintf(&b, `<addr address="+4477009%05d" type="151" charset="106" />`, i)
	}
	b.WriteString(`</addrs></mms></smses>`)
	r := newBackupReader(strings.NewReader(b.String()), 0, int64(b.Len()))
	items := 0
	_, err := r.read(func(it backupItem, _ int64) error {
		items++
		if it.parties < maxParties {
			t.Errorf("an MMS to %d numbers: %d parties; want a group of at least %d", n, it.parties, maxParties)
		}
		return nil
	})
	if err != nil || items != 1 {
		t.Fatalf("%d items, %v; want the MMS", items, err)
	}
	if len(r.to) > maxParties {
		t.Errorf("the reader held %d numbers of one MMS; want at most %d", len(r.to), maxParties)
	}
}
