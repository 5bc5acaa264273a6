package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/internal/testsupport/fulldisk"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/notifier"
)

// TestBackoffBelongsToTheChannel: thirty rows on a server that answers 500
// make the channel as a whole slow down, 5 s doubling, instead of one
// fresh 5 s try per row.
func TestBackoffBelongsToTheChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		broken := &notifier.Error{Channel: "phone", Retryable: true, Status: 500, Msg: "server answered 500"}
		errs := make([]error, 1000)
		for i := range errs {
			errs[i] = broken
		}
		phone := &scripted{name: "phone", errs: errs}
		f := start(t, phone)
		for i := range 30 {
			f.enqueue(t, "p"+string(rune('a'+i)), false, "phone")
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		at := phone.attempts()
		// 0, 5, 15, 35, 75, 155, 315, 635 s (±20 %): 8 tries in 10 min.
		if len(at) < 7 || len(at) > 9 {
			t.Fatalf("%d requests in 10 minutes; want about 8 (a backoff of the channel, doubling)", len(at))
		}
		for i := 2; i < len(at); i++ {
			prev, gap := at[i-1].Sub(at[i-2]), at[i].Sub(at[i-1])
			if gap*10 < prev*13 { // doubling, with ±20 % jitter on each
				t.Errorf("gap %d is %v after %v; want it to double", i, gap, prev)
			}
		}
		st := f.d.Channels()
		if len(st) != 1 || st[0].Failures != len(at) || !st[0].Until.After(time.Now()) {
			t.Errorf("channel state %+v; want %d failures in a row and a backoff", st, len(at))
		}
		f.stop(t)
	})
}

// TestRetryAfterIsCapped: a server asking for 999999999 s gets
// MaxRetryAfter, which the log, the row and Channels tell.
func TestRetryAfterIsCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		greedy := &notifier.Error{Channel: "phone", Retryable: true, Status: 429, RetryAfter: 999999999 * time.Second, Msg: "server answered 429"}
		phone := &scripted{name: "phone", errs: []error{greedy}}
		f := start(t, phone)
		f.enqueue(t, "alice", false, "phone")
		time.Sleep(time.Minute)
		synctest.Wait()
		st := f.d.Channels()
		if len(st) != 1 || st[0].Asked != 999999999*time.Second || time.Until(st[0].Until) > MaxRetryAfter {
			t.Fatalf("channel state %+v; want the asked wait kept and the backoff within %v", st, MaxRetryAfter)
		}
		rows, _ := f.j.Deliveries(context.Background(), "", 0)
		if len(rows) != 1 || !strings.Contains(rows[0].LastError, "capped at 6h0m0s") {
			t.Errorf("row error %q; want it to say the wait was capped", rows[0].LastError)
		}
		time.Sleep(MaxRetryAfter)
		synctest.Wait()
		at := phone.attempts()
		if len(at) != 2 || at[1].Sub(at[0]) != MaxRetryAfter {
			t.Errorf("attempts %v; want the second exactly %v after the first", at, MaxRetryAfter)
		}
		if st := f.d.Channels(); len(st) != 0 {
			t.Errorf("after a success the channel state is %+v; want none", st)
		}
		f.stop(t)
	})
}

// TestUndecodableRowFailsOnce: a row whose message is not JSON is marked
// failed once with a clear error, and the channel goes on.
func TestUndecodableRowFailsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		phone := &scripted{name: "phone"}
		mail := &scripted{name: "mail"}
		f := start(t, phone, mail)
		now := time.Now()
		good, _ := json.Marshal(compose.Message{Title: "t", Lead: "x"})
		rows := []journal.Row{
			{Identity: journal.Identity{Contact: "alice", Kind: "check_in"}, Channel: "phone", Message: []byte("{not json")},
			{Identity: journal.Identity{Contact: "bob", Kind: "check_in"}, Channel: "phone", Message: good},
		}
		if _, err := f.j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now}, rows); err != nil {
			t.Fatal(err)
		}
		f.d.Wake()
		time.Sleep(time.Minute)
		synctest.Wait()
		all, _ := f.j.Deliveries(context.Background(), "", 0)
		for _, d := range all {
			switch d.Contact {
			case "alice":
				if d.State != journal.Failed || d.Attempts != 1 || !strings.Contains(d.LastError, "cannot be read") {
					t.Errorf("bad row: %s after %d attempts, %q", d.State, d.Attempts, d.LastError)
				}
			case "bob":
				if d.State != journal.Sent {
					t.Errorf("good row: %s", d.State)
				}
			}
		}
		if n := len(phone.attempts()); n != 1 {
			t.Errorf("%d sends (%q); want 1, and no notice that the channel fails", n, phone.titles)
		}
		if w := f.d.Wakes(); w > 10 {
			t.Errorf("%d wake-ups in a minute; the worker spins", w)
		}
		if got := mail.received(); len(got) != 0 {
			t.Errorf("mail got %d messages (%q); a broken row is no failing channel", len(got), mail.titles)
		}
		f.stop(t)
	})
}

// TestPendingRowsFollowTheConfig: a reminder whose channel was renamed goes
// to the person's current channels; one whose person left is cancelled.
func TestPendingRowsFollowTheConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		phone := &scripted{name: "phone"}
		people := map[string][]string{"alice": {"phone"}}
		route := func(c string) ([]string, bool) { ch, ok := people[c]; return ch, ok }
		f := startAt(t, filepath.Join(t.TempDir(), "r.db"), route, phone)
		now := time.Now()
		// Enqueued for the old name of the channel by an older rekindle,
		// which kept only the format of its channel (ntfy's markdown).
		msg := []byte(`{"Title":"Time to catch up with Alice","Markdown":"**hi**","Tags":["wave"]}`)
		rows := []journal.Row{
			{Identity: journal.Identity{Contact: "alice", Kind: "check_in"}, Channel: "old-phone", Message: msg},
			{Identity: journal.Identity{Contact: "gone", Kind: "check_in"}, Channel: "phone", Message: msg},
		}
		if _, err := f.j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now}, rows); err != nil {
			t.Fatal(err)
		}
		f.d.Wake()
		time.Sleep(2 * time.Second) // moved rows go at once, not at the next minute
		synctest.Wait()
		got := phone.received()
		if len(got) != 1 || got[0].Title != "Time to catch up with Alice" || got[0].Text() != "**hi**" {
			t.Fatalf("phone received %+v; want Alice's reminder once, with text", got)
		}
		st := f.states(t)
		if st["alice/old-phone"] != journal.Cancelled || st["alice/phone"] != journal.Sent || st["gone/phone"] != journal.Cancelled {
			t.Errorf("states %v", st)
		}
		if c := f.d.Counts(); c.Cancelled != 1 || c.Failed != 0 {
			t.Errorf("counts %+v", c)
		}
		f.stop(t)
	})
}

// TestRecheckCancelsWaitingRows: rows waiting for their time (quiet
// hours, an hour away) are left alone by a wake; Recheck (a reload,
// something learned) cancels at once the one no longer due and the one
// whose person left the config, and the one still due goes out when its
// time comes, once.
func TestRecheckCancelsWaitingRows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		phone := &scripted{name: "phone"}
		var replied atomic.Bool // Alice wrote back
		d := &Deliverer{
			Outbox: j, Current: func() map[string]notifier.Channel { return map[string]notifier.Channel{"phone": phone} },
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
			Route: func(c string) ([]string, bool) { return []string{"phone"}, c != "gone" },
			Stale: func(_ context.Context, rows []journal.Delivery) map[int64]string {
				out := map[int64]string{}
				for _, r := range rows {
					if r.Contact == "alice" && replied.Load() {
						out[r.ID] = "no longer due: replied"
					}
				}
				return out
			},
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go d.Run(ctx)
		now := time.Now()
		var rows []journal.Row
		for _, who := range []string{"alice", "bob", "gone"} {
			msg, _ := json.Marshal(compose.Message{Title: "Time to catch up with " + who, Lead: "hi"})
			rows = append(rows, journal.Row{Identity: journal.Identity{Contact: who, Kind: "check_in"}, Channel: "phone", Message: msg, NotBefore: now.Add(time.Hour)})
		}
		if _, err := j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now}, rows); err != nil {
			t.Fatal(err)
		}
		states := func() map[string]string {
			all, _ := j.Deliveries(context.Background(), "", 0)
			out := map[string]string{}
			for _, r := range all {
				out[r.Contact] = r.State
			}
			return out
		}
		replied.Store(true)
		d.Wake()
		synctest.Wait()
		if st := states(); st["alice"] != journal.Pending || st["gone"] != journal.Pending {
			t.Fatalf("a wake checked rows not due yet: %v", st)
		}
		d.Recheck()
		synctest.Wait()
		if st := states(); st["alice"] != journal.Cancelled || st["gone"] != journal.Cancelled || st["bob"] != journal.Pending {
			t.Fatalf("after Recheck: %v; want Alice's and the gone person's cancelled, Bob's waiting", st)
		}
		if n := len(phone.received()); n != 0 {
			t.Fatalf("%d sent before their time", n)
		}
		time.Sleep(time.Hour + time.Second)
		synctest.Wait()
		if got := phone.received(); len(got) != 1 || got[0].Title != "Time to catch up with bob" {
			t.Errorf("received %+v; want Bob's reminder once", got)
		}
		if c := d.Counts(); c.Cancelled != 2 || c.Sent != 1 {
			t.Errorf("counts %+v", c)
		}
		cancel()
		synctest.Wait()
	})
}

// TestFullDiskNeverResends: with the state file on a full filesystem, a
// reminder the server accepted is not sent again while the "sent" record
// cannot be written: the channel stops, the record is kept in the reserve
// beside the state file, and a stop and a start on the still full disk send
// nothing again; once there is room every reminder is recorded and each was
// received exactly once (5 pushes for 5; the restart sent 10 for 5 when
// the records were only held in memory).
func TestFullDiskNeverResends(t *testing.T) {
	dir := t.TempDir()
	fulldisk.Mount(t, dir)
	synctest.Test(t, func(t *testing.T) {
		phone := &scripted{name: "phone"}
		path := filepath.Join(dir, "r.db")
		f := startAt(t, path, nil, phone)
		// The deliverer sets its reserve aside when it starts, as the
		// daemon's does long before a disk fills: wait for that before
		// filling this one (filled first, it has no room for a reserve).
		synctest.Wait()
		if fi, err := os.Stat(path + ".held"); err != nil || fi.Size() < 64<<10 {
			t.Fatalf("no reserve beside the state file after the start: %v", err)
		}
		var rows []journal.Row
		for _, who := range []string{"a", "b", "c", "d", "e", "probe"} {
			msg, _ := json.Marshal(compose.Message{Title: "reach out to " + who, Lead: "x"})
			rows = append(rows, journal.Row{Identity: journal.Identity{Contact: who, Kind: "check_in"}, Channel: "phone", Message: msg,
				NotBefore: time.Now().Add(time.Second)})
		}
		now := time.Now()
		if _, err := f.j.Enqueue(context.Background(), journal.Run{Slot: now, Started: now}, rows[:5]); err != nil {
			t.Fatal(err)
		}
		probe := rows[5]
		probe.Channel = "nowhere"
		probe.NotBefore = now.Add(time.Hour)
		f.j.EnqueueNotice(context.Background(), now, []journal.Row{probe})
		fulldisk.Fill(t, filepath.Join(dir, "filler"))
		f.d.Wake()
		all, _ := f.j.Deliveries(context.Background(), "probe", 0)
		if err := f.j.MarkSent(context.Background(), []int64{all[0].ID}, now); err == nil {
			t.Fatal("the full filesystem did not stop a write; the test proves nothing")
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		// The first send goes out before its record fails; then the
		// channel stops, and in ten minutes nothing is sent twice.
		once := func(when string) []string {
			t.Helper()
			phone.mu.Lock()
			titles := append([]string(nil), phone.titles...)
			phone.mu.Unlock()
			sent := map[string]int{}
			for _, title := range titles {
				sent[title]++
				if sent[title] > 1 {
					t.Errorf("%q sent %d times %s", title, sent[title], when)
				}
			}
			return titles
		}
		titles := once("with the disk full")
		st := f.d.Channels()
		if len(st) != 1 || st[0].Unrecorded != len(titles) || len(titles) == 0 {
			t.Errorf("channel state %+v after %d sends; want them all held unrecorded", st, len(titles))
		}
		// A stop and a start, the disk still full.
		f.stop(t)
		f = startAt(t, path, nil, phone)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if again := once("after a restart with the disk full"); len(again) != len(titles) {
			t.Errorf("%d sends after the restart with the disk full; want none (the channel waits for its record)", len(again)-len(titles))
		}
		os.Remove(filepath.Join(dir, "filler"))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		got := map[string]int{}
		for _, m := range phone.received() {
			got[m.Title]++
		}
		for _, who := range []string{"a", "b", "c", "d", "e"} {
			if got["reach out to "+who] != 1 {
				t.Errorf("%s's reminder received %d times; want exactly 1", who, got["reach out to "+who])
			}
		}
		for k, s := range f.states(t) {
			if k != "probe/nowhere" && s != journal.Sent {
				t.Errorf("%s is %s after the disk has room; want sent", k, s)
			}
		}
		if kept, err := f.j.ReadHeld(); err != nil || len(kept) != 0 {
			t.Errorf("still kept beside the state file: %+v, %v; want nothing once recorded", kept, err)
		}
		f.stop(t)
	})
}

// refusing is a state file that refuses to record outcomes while told to,
// as one whose lock another process holds, or on a full disk.
type refusing struct {
	*journal.Journal
	refuse atomic.Bool
}

var errRefused = errors.New("mark sent: database is locked (5) (SQLITE_BUSY)")

func (r *refusing) MarkSent(ctx context.Context, ids []int64, at time.Time) error {
	if r.refuse.Load() {
		return errRefused
	}
	return r.Journal.MarkSent(ctx, ids, at)
}

func (r *refusing) MarkFailed(ctx context.Context, ids []int64, why string) error {
	if r.refuse.Load() {
		return errRefused
	}
	return r.Journal.MarkFailed(ctx, ids, why)
}

// TestHeldRecordsSurviveAStop: a send the state file could not record is
// kept beside it at once (a kill -9 then forgets nothing), a graceful stop
// leaves it there, and the next start records it before sending anything
// and never sends it again: 5 pushes for 5 reminders.
func TestHeldRecordsSurviveAStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	phone := &scripted{name: "phone"}
	var logs strings.Builder
	// run runs a deliverer on the state file for d, then stops it; the
	// state file refuses records for the first refuseFor of it.
	run := func(t *testing.T, d time.Duration, refuseFor time.Duration, enqueue bool) *journal.Journal {
		j, err := journal.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		out := &refusing{Journal: j}
		if enqueue {
			for _, who := range []string{"a", "b", "c", "d", "e"} {
				msg, _ := json.Marshal(compose.Message{Title: "reach out to " + who, Lead: "x"})
				row := journal.Row{Identity: journal.Identity{Contact: who, Kind: "check_in"}, Channel: "phone", Message: msg}
				if _, err := j.Enqueue(context.Background(), journal.Run{Slot: time.Now(), Started: time.Now()}, []journal.Row{row}); err != nil {
					t.Fatal(err)
				}
			}
		}
		out.refuse.Store(refuseFor > 0)
		chans := map[string]notifier.Channel{"phone": phone}
		dl := &Deliverer{Outbox: out, Current: func() map[string]notifier.Channel { return chans }, Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: time.Now}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { dl.Run(ctx); close(done) }()
		if refuseFor > 0 && refuseFor < d {
			time.Sleep(refuseFor)
			out.refuse.Store(false)
			dl.Wake()
			d -= refuseFor
		}
		time.Sleep(d)
		synctest.Wait()
		if refuseFor >= d {
			// Kept beside the state file before any stop: a kill -9 now
			// would forget nothing.
			kept, err := j.ReadHeld()
			if err != nil || len(kept) == 0 || len(kept[0].IDs) == 0 {
				t.Errorf("kept beside the state file before the stop: %+v, %v; want the unrecorded send", kept, err)
			}
		}
		cancel()
		<-done
		return j
	}
	synctest.Test(t, func(t *testing.T) {
		run(t, time.Minute, time.Hour, true).Close()
		first := len(phone.attempts())
		if first == 0 {
			t.Fatal("nothing sent; the test proves nothing")
		}
		// The state file still refuses: nothing goes again.
		run(t, time.Minute, time.Hour, false).Close()
		if n := len(phone.attempts()); n != first {
			t.Errorf("%d sends after a restart on a state file that still refuses; want none", n-first)
		}
		j := run(t, 2*time.Minute, time.Second, false)
		defer j.Close()
		got := map[string]int{}
		for _, m := range phone.received() {
			got[m.Title]++
		}
		for _, who := range []string{"a", "b", "c", "d", "e"} {
			if got["reach out to "+who] != 1 {
				t.Errorf("%s's reminder received %d times; want exactly 1 (%d pushes in all)", who, got["reach out to "+who], len(phone.received()))
			}
		}
		all, _ := j.Deliveries(context.Background(), "", 0)
		for _, r := range all {
			if r.State != journal.Sent {
				t.Errorf("%s is %s; want sent", r.Contact, r.State)
			}
		}
		if kept, err := j.ReadHeld(); err != nil || len(kept) != 0 {
			t.Errorf("still kept beside the state file: %+v, %v; want nothing once recorded", kept, err)
		}
	})
	for _, want := range []string{"they are kept beside it", "recording them, not sending them again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no log line saying %q:\n%s", want, logs.String())
		}
	}
}

// TestDeliveryIDIsStable: every attempt at one delivery carries the same
// id, and after a restart too; other deliveries have other ids.
func TestDeliveryIDIsStable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	var first []string
	synctest.Test(t, func(t *testing.T) {
		lost := &notifier.Error{Channel: "phone", Retryable: true, Msg: "no answer within the timeout"}
		phone := &scripted{name: "phone", errs: []error{lost}}
		f := startAt(t, path, nil, phone)
		f.enqueue(t, "alice", false, "phone")
		f.enqueue(t, "bob", false, "phone")
		time.Sleep(time.Minute)
		synctest.Wait()
		first = append(first, phone.ids...)
		f.stop(t)
	})
	// alice failed once; after the backoff bob's row (older) went, then
	// alice's again: three attempts.
	if len(first) != 3 || first[0] != first[2] || first[0] == first[1] || !regexp.MustCompile(`^rk[0-9a-f]{30}$`).MatchString(first[0]) {
		t.Fatalf("ids %q; want alice's, bob's, alice's again, each rk and 30 hex digits", first)
	}
	// The same rows read again (a restart): the same ids.
	j, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rows, _ := j.Deliveries(context.Background(), "alice", 0)
	if id := deliveryID(rows); id != first[0] {
		t.Errorf("after a restart alice's delivery is %s; before it was %s", id, first[0])
	}
}
