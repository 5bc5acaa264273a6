package addressbook

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
	"github.com/rekindle/rekindle/journal"
)

func vcf(uid, name, email string, extra ...string) string {
	s := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + name + "\r\n"
	if email != "" {
		s += "EMAIL:" + email + "\r\n"
	}
	for _, e := range extra {
		s += e + "\r\n"
	}
	return s + "END:VCARD\r\n"
}

// source is a carddav source for the server, as a user writes it.
func source(t testing.TB, url, user, password, extra string) *config.Source {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "c.toml"), []byte(fmt.Sprintf(
		"[sources.phone]\ntype = \"carddav\"\nurl = %q\nusername = %q\npassword = %q\n%s", url, user, password, extra)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Sources["phone"]
}

func openJournal(t testing.TB) *journal.Journal {
	t.Helper()
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func changes(res Result) string {
	var out []string
	for _, c := range res.Changes {
		s := c.What + " " + c.ID
		if c.Was != "" {
			s += " (was " + c.Was + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// From the bare host, the address book is found and read whole; then each
// sync reads only what changed: a card added, one changed and renamed
// (the same person, by UID), one deleted, and nothing at all when nothing
// changed.
func TestRadicaleSync(t *testing.T) {
	ctx := context.Background()
	srv := radicaletest.Start(t, radicaletest.Options{})
	book := srv.MakeAddressBook(t, "contacts", "Contacts")
	srv.Put(t, book+"ana.vcf", vcf("ana-1", "Ana Lima", "ana@example.org", "BDAY:1990-04-12"))
	srv.Put(t, book+"bo.vcf", vcf("bo-1", "Bo Berg", "bo@example.org"))
	srv.Put(t, book+"acme.vcf", vcf("acme-1", "Acme", "", "X-ABShowAs:COMPANY"))
	src := source(t, srv.URL, srv.User, srv.Password, "")
	j := openJournal(t)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	sync := func(dry bool) Result {
		t.Helper()
		res, err := (&Sync{Source: src, Store: j, Now: now, DryRun: dry}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sync(true); changes(res) != "added ana-lima, added bo-berg" || res.Read != 3 {
		t.Errorf("first sync, dry run: %q, %d read", changes(res), res.Read)
	}
	if res := sync(false); changes(res) != "added ana-lima, added bo-berg" {
		t.Errorf("first sync: %q; a dry run must write nothing", changes(res))
	}
	if res := sync(false); len(res.Changes) != 0 || res.Read != 0 {
		t.Errorf("a sync with nothing changed: %q, %d cards read", changes(res), res.Read)
	}
	srv.Put(t, book+"cy.vcf", vcf("cy-1", "Cy Dahl", "cy@example.org"))
	srv.Put(t, book+"ana.vcf", vcf("ana-1", "Ana Souza", "ana@example.org", "BDAY:1990-04-12"))
	srv.Delete(t, book+"bo.vcf")
	res := sync(false)
	if got, want := changes(res), "added cy-dahl, changed ana-lima (was Ana Lima), removed bo-berg"; got != want {
		t.Errorf("after an add, a rename and a delete: %q, want %q", got, want)
	}
	if res.Read != 2 {
		t.Errorf("the incremental sync read %d cards; want the 2 that changed", res.Read)
	}
	cfg, _ := config.Parse("c.toml", []byte(fmt.Sprintf("[sources.phone]\ntype = \"carddav\"\nurl = %q\nusername = \"me\"\npassword = \"x\"\n", srv.URL)))
	if err := Load(ctx, cfg, j); err != nil {
		t.Fatal(err)
	}
	var people []string
	for _, c := range cfg.Contacts {
		people = append(people, c.ID+"="+c.Name)
	}
	if want := []string{"ana-lima=Ana Souza", "cy-dahl=Cy Dahl"}; !slices.Equal(people, want) {
		t.Errorf("people after the syncs: %v, want %v", people, want)
	}
}

// Over TLS, a server whose authority this machine does not know is
// refused, with the fix; with ca_file it is read. A wrong password is a
// plain error that names the user and never the password. books and
// only_category choose whom to take.
func TestRadicaleTLSLoginAndChoice(t *testing.T) {
	ctx := context.Background()
	srv := radicaletest.Start(t, radicaletest.Options{TLS: true})
	friends := srv.MakeAddressBook(t, "friends", "Friends")
	work := srv.MakeAddressBook(t, "work", "Work")
	srv.Put(t, friends+"ana.vcf", vcf("ana-1", "Ana Lima", "ana@example.org", "CATEGORIES:Family,rekindle"))
	srv.Put(t, friends+"bo.vcf", vcf("bo-1", "Bo Berg", "bo@example.org"))
	srv.Put(t, work+"cy.vcf", vcf("cy-1", "Cy Dahl", "cy@example.org", "CATEGORIES:rekindle"))
	caFile := "ca_file = " + fmt.Sprintf("%q", srv.CAFile) + "\n"
	run := func(src *config.Source) (Result, error) {
		return (&Sync{Source: src, Store: openJournal(t), Now: time.Now()}).Run(ctx)
	}

	_, err := run(source(t, srv.URL, srv.User, srv.Password, ""))
	if err == nil || !strings.Contains(err.Error(), "does not verify") || !strings.Contains(hintOf(err), "ca_file") {
		t.Errorf("an unknown authority: %v (hint %q)", err, hintOf(err))
	}
	res, err := run(source(t, srv.URL, srv.User, srv.Password, caFile))
	if err != nil || changes(res) != "added ana-lima, added bo-berg, added cy-dahl" || res.Books != 2 {
		t.Errorf("with ca_file: %q from %d books, %v", changes(res), res.Books, err)
	}
	_, err = run(source(t, srv.URL, srv.User, "wrong-pass-4242", caFile))
	if err == nil || !strings.Contains(err.Error(), "refused the login of me") || strings.Contains(err.Error(), "wrong-pass-4242") ||
		!strings.Contains(hintOf(err), "password") {
		t.Errorf("a wrong password: %v", err)
	}
	res, err = run(source(t, srv.URL, srv.User, srv.Password, caFile+"books = [\"friends\"]\nonly_category = \"Rekindle\"\n"))
	if err != nil || changes(res) != "added ana-lima" {
		t.Errorf("books = [friends], only_category: %q, %v", changes(res), err)
	}
	_, err = run(source(t, srv.URL, srv.User, srv.Password, caFile+"books = [\"Famly\"]\n"))
	if err == nil || !strings.Contains(err.Error(), `no address book "Famly"; there are "Friends", "Work"`) {
		t.Errorf("a book that is not there: %v", err)
	}
	// The URL of one address book reads that one.
	res, err = run(source(t, srv.URL+work, srv.User, srv.Password, caFile))
	if err != nil || changes(res) != "added cy-dahl" {
		t.Errorf("the URL of one book: %q, %v", changes(res), err)
	}
}

func hintOf(err error) string {
	if h, ok := err.(interface{ Hint() string }); ok {
		return h.Hint()
	}
	return ""
}
