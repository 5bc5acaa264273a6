package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/needs"

	"golang.org/x/sys/unix"

	"github.com/rekindle/rekindle/journal"
)

// TestBackoffBelongsToTheChannel: thirty rows on a server that answers 500
// make the channel as a whole slow down, 5 s doubling, instead of one
// fresh 5 s try per row.
func TestBackoffBelongsToTheChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		broken := &Error{Channel: "phone", Retryable: true, Status: 500, Msg: "server answered 500"}
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
		greedy := &Error{Channel: "phone", Retryable: true, Status: 429, RetryAfter: 999999999 * time.Second, Msg: "server answered 429"}
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
		good, _ := json.Marshal(Message{Title: "t", Lead: "x"})
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

// TestFullDiskNeverResends: with the state file on a full filesystem, a
// reminder the server accepted is not sent again while the "sent" record
// cannot be written; the channel stops, and once there is room again every
// reminder is recorded and each was received exactly once.
func TestFullDiskNeverResends(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=400k,mode=0700"); err != nil {
		needs.Missing(t, "mounting a small tmpfs needs root (CI runs as root): "+err.Error())
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	synctest.Test(t, func(t *testing.T) {
		phone := &scripted{name: "phone"}
		f := startAt(t, filepath.Join(dir, "r.db"), nil, phone)
		var rows []journal.Row
		for _, who := range []string{"a", "b", "c", "d", "e", "probe"} {
			msg, _ := json.Marshal(Message{Title: "reach out to " + who, Lead: "x"})
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
		fill(t, filepath.Join(dir, "filler"))
		f.d.Wake()
		all, _ := f.j.Deliveries(context.Background(), "probe", 0)
		if err := f.j.MarkSent(context.Background(), []int64{all[0].ID}, now); err == nil {
			t.Fatal("the full filesystem did not stop a write; the test proves nothing")
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		// The sends of one batch (here all five: they take no time) go out
		// before the record fails; then the channel stops, and in ten
		// minutes nothing is sent twice.
		phone.mu.Lock()
		titles := append([]string(nil), phone.titles...)
		phone.mu.Unlock()
		sent := map[string]int{}
		for _, title := range titles {
			sent[title]++
			if sent[title] > 1 {
				t.Fatalf("%q sent %d times with the disk full", title, sent[title])
			}
		}
		st := f.d.Channels()
		if len(st) != 1 || st[0].Unrecorded != len(titles) || len(titles) == 0 {
			t.Errorf("channel state %+v after %d sends; want them all held unrecorded", st, len(titles))
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
		f.stop(t)
	})
}

// fill writes to path until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestDeliveryIDIsStable: every attempt at one delivery carries the same
// id, and after a restart too; other deliveries have other ids.
func TestDeliveryIDIsStable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	var first []string
	synctest.Test(t, func(t *testing.T) {
		lost := &Error{Channel: "phone", Retryable: true, Msg: "no answer within the timeout"}
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
