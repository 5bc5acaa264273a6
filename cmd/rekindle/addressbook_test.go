package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
)

func card(uid, name, email string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + name + "\r\nEMAIL:" + email + "\r\nEND:VCARD\r\n"
}

func carddavSource(srv *radicaletest.Server, interval string) string {
	return fmt.Sprintf("[sources.phone]\ntype = \"carddav\"\nurl = %q\nusername = %q\npassword = %q\ninterval = %q\n",
		srv.URL, srv.User, srv.Password, interval)
}

// Not in parallel (nor the test below): Radicale, a Python program, is
// slow to start on a machine busy with the suite's daemons.
//
// The command line as a user meets an address book: a dry run says whom
// a sync would add and writes nothing; the sync adds them; check names
// where each person comes from, and a [[contact]] with a card's address
// keeps its own settings on top of the card. The password is in no
// output.
func TestSyncAddressBook(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t, radicaletest.Options{})
	book := srv.MakeAddressBook(t, "contacts", "Contacts")
	srv.Put(t, book+"ana.vcf", card("ana-1", "Ana Lima", "ana@example.org"))
	srv.Put(t, book+"bo.vcf", card("bo-1", "Bo Berg", "bo@example.org"))
	e := newEnv(t, carddavSource(srv, "5m")+"\n[[contact]]\nname = \"Ana\"\nemail = [\"ANA@example.org\"]\nevery = \"1w\"\n")
	run := func(args ...string) string {
		t.Helper()
		out, err := e.command(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rekindle %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if strings.Contains(string(out), srv.Password) {
			t.Errorf("rekindle %s shows the password:\n%s", strings.Join(args, " "), out)
		}
		return string(out)
	}
	want := "phone  would add  Ana Lima (ana-lima)\nphone  would add  Bo Berg (bo-berg)\n" +
		"phone: 2 cards read from 1 address book; would add 2, change 0, remove 0; nothing written (dry run)\n"
	if got := run("sync", "phone", "--dry-run"); got != want {
		t.Errorf("sync --dry-run:\n%s\nwant:\n%s", got, want)
	}
	if got := run("check"); !strings.Contains(got, "1 contact,") || strings.Contains(got, "bo-berg") {
		t.Errorf("check after a dry run:\n%s", got)
	}
	run("sync", "phone")
	got := run("check")
	for _, line := range []string{"2 contacts,", "    ana      Ana      ", "config.toml and the address book phone\n", "bo-berg  Bo Berg  the address book phone"} {
		if !strings.Contains(got, line) {
			t.Errorf("check after the sync has no %q:\n%s", line, got)
		}
	}
	if got := run("plan", "--days", "7"); !strings.Contains(got, "Bo Berg") {
		t.Errorf("plan has no Bo Berg from the address book:\n%s", got)
	}
	if got := run("sync", "phone"); got != "phone: 0 cards read from 1 address book; 0 added, 0 changed, 0 removed\n" {
		t.Errorf("a repeat sync: %q", got)
	}
}

// The daemon reads the address book again on SIGHUP (its interval, an
// hour here, is pinned in fake time by mailbox's
// TestLoopReadsEveryIntervalAndWhenAsked): a card added on the server is
// a person, and a card deleted removes its person as leaving the config
// does, their pending reminder cancelled at once.
func TestDaemonFollowsTheAddressBook(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t, radicaletest.Options{})
	book := srv.MakeAddressBook(t, "contacts", "Contacts")
	srv.Put(t, book+"bo.vcf", card("bo-1", "Bo Berg", "bo@example.org"))
	ntfy := ntfytest.New()
	defer ntfy.Close()
	ntfy.FailNext(1000, http.StatusServiceUnavailable, "")
	port := loopback.FreePort(t)
	const token = "address-book-token-0123456789"
	e := newEnv(t, fmt.Sprintf("listen = \"127.0.0.1:%d\"\napi_token = %q\n", port, token)+ntfyConfig(ntfy.URL, "")+carddavSource(srv, "1h"))
	// Synced before the daemon starts, Bo is in its first run.
	if out, err := e.command(t, "sync", "phone").CombinedOutput(); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	p := e.start(t)
	p.waitLog(t, "will retry", 20*time.Second) // Bo's check-in, from the card, pending
	srv.Put(t, book+"cy.vcf", card("cy-1", "Cy Dahl", "cy@example.org"))
	srv.Delete(t, book+"bo.vcf")
	// The daemon's first read (at start) may fall between the two
	// changes; the one SIGHUP asks for has both.
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the daemon to read the address book again", 20*time.Second, func() bool {
		return strings.Contains(p.stderr.String(), `why="address book changed" contacts=1`)
	})
	// Bo's reminder waits for ntfy's backoff; it is cancelled at once.
	p.waitLog(t, "cancelled a pending reminder", 2*time.Second)
	// The API shows the people of the address book as it is now.
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/api/contacts", port), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(api), `"cy-dahl"`) || strings.Contains(string(api), `"bo-berg"`) {
		t.Errorf("the API's people:\n%s", api)
	}
	p.stop(t)
	logs := p.stderr.String()
	if strings.Contains(logs, srv.Password) {
		t.Errorf("the log shows the address book's password:\n%s", logs)
	}
	if got, _ := e.command(t, "check").CombinedOutput(); !strings.Contains(string(got), "cy-dahl  Cy Dahl  the address book phone") || strings.Contains(string(got), "bo-berg") {
		t.Errorf("check:\n%s", got)
	}
	if n := count(ntfy.Received(), "Bo"); n != 0 {
		t.Errorf("Bo, whose card was deleted, got %d reminders", n)
	}
}
