package addressbook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
)

// A server with Digest only and without sync tokens (SabreDAV, Baïkal) is
// found from its bare host and read by ETags: the first read fetches
// every card, a repeat none, and then only the card that changed; a card
// gone is a person removed. The password never goes out in Basic, and
// nothing but PROPFIND and REPORT goes out at all.
func TestDigestServerWithoutSyncTokens(t *testing.T) {
	ctx := context.Background()
	f := startFakeDAV(t)
	f.put("ana.vcf", vcf("ana-1", "Ana Lima", "ana@example.org"))
	f.put("bo bo.vcf", vcf("bo-1", "Bo Berg", "bo@example.org"))
	src := source(t, f.URL, f.user, f.pass, "")
	j := openJournal(t)
	sync := func() Result {
		t.Helper()
		res, err := (&Sync{Source: src, Store: j, Now: time.Now()}).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sync(); changes(res) != "added ana-lima, added bo-berg" || f.takeSent() != 2 {
		t.Errorf("first read: %q", changes(res))
	}
	if res := sync(); len(res.Changes) != 0 {
		t.Errorf("a repeat read: %q", changes(res))
	}
	if n := f.takeSent(); n != 0 {
		t.Errorf("a repeat read with nothing changed fetched %d cards; want none", n)
	}
	f.put("ana.vcf", vcf("ana-1", "Ana Lima", "ana@example.org", "TEL:+49 30 1234567"))
	f.del("bo bo.vcf")
	if res := sync(); changes(res) != "changed ana-lima, removed bo-berg" {
		t.Errorf("after a change and a delete: %q", changes(res))
	}
	if n := f.takeSent(); n != 1 {
		t.Errorf("fetched %d cards; want the one that changed", n)
	}
	if f.basicTried {
		t.Error("the password went to a Digest server in Basic")
	}
	// Nothing is written to the server: it is only asked.
	for m := range f.methods {
		if m != "PROPFIND" && m != "REPORT" {
			t.Errorf("a %s went to the server", m)
		}
	}

	bad := source(t, f.URL, f.user, "not-the-password", "")
	_, err := (&Sync{Source: bad, Store: j, Now: time.Now()}).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused the login of me") || strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("a wrong password: %v", err)
	}
}

// A server that, once logged in to, sends the client to another host
// (here the same machine by another name) does not get the password
// carried there: the login goes only to the host in url, and the error
// names both, with the fix.
func TestLoginStaysWithTheServer(t *testing.T) {
	other := loopback.NewElsewhere(t)
	home := other.SendsThere(t, "me", "stay-home-pass-5")
	_, err := (&Sync{Source: source(t, home, "me", "stay-home-pass-5", ""), Store: openJournal(t), Now: time.Now()}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "rekindle gives yours only to "+home) || !strings.Contains(hintOf(err), "write url") {
		t.Errorf("a redirect to another host that asks for a login: %v (hint %q)", err, hintOf(err))
	}
	other.NoLoginCame(t)
}
