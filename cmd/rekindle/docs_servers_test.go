package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/dovecottest"
	"github.com/rekindle/rekindle/internal/testsupport/ntfytest"
	"github.com/rekindle/rekindle/internal/testsupport/radicaletest"
)

// docServers are the servers a sample of the guide may run against
// ("<!-- at TIME with NAME... -->", TestDocumentedOutputs): each starts
// one for the block, fills it from docs/examples/ under root, and returns
// the variables the block's files and samples write as "${NAME}". A new
// kind of source or channel whose samples need a server adds its own here.
var docServers = map[string]func(t *testing.T, root string) map[string]string{
	// Radicale, a CardDAV and CalDAV server, its user "me" with the
	// password ${RADICALE_PASSWORD}: each folder of docs/examples/dav is a
	// collection of that name, an address book of the cards of its .vcf
	// files or a calendar of its .ics events.
	"radicale": func(t *testing.T, root string) map[string]string {
		srv := radicaletest.Start(t, radicaletest.Options{})
		dirs, err := os.ReadDir(filepath.Join(root, "docs", "examples", "dav"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			files, _ := filepath.Glob(filepath.Join(root, "docs", "examples", "dav", d.Name(), "*"))
			mk := srv.MakeCalendar
			if len(files) > 0 && strings.HasSuffix(files[0], ".vcf") {
				mk = srv.MakeAddressBook
			}
			coll := mk(t, strings.ToLower(d.Name()), d.Name())
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				srv.Put(t, coll+filepath.Base(f), string(b))
			}
		}
		return map[string]string{"RADICALE_URL": srv.URL, "RADICALE_PASSWORD": srv.Password}
	},
	// An ntfy server that takes only the token "tk_the_right_one".
	"ntfy": func(t *testing.T, root string) map[string]string {
		srv := ntfytest.New()
		t.Cleanup(srv.Close)
		srv.RequireToken("tk_the_right_one", "rekindle")
		return map[string]string{"NTFY_URL": srv.URL}
	},
	// A web server of the calendar feeds in docs/examples/ics: any other
	// address answers 404, as a private address that was reset does.
	"ics": func(t *testing.T, root string) map[string]string {
		srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(root, "docs", "examples", "ics"))))
		t.Cleanup(srv.Close)
		return map[string]string{"ICS_HOST": srv.Listener.Addr().String()}
	},
	// Dovecot, an IMAP server with a certificate of its own (signed by an
	// authority nobody trusts), its user "me" with the password
	// ${IMAP_PASSWORD}, its mail the messages of docs/examples/Mail.
	"dovecot": func(t *testing.T, root string) map[string]string {
		srv := dovecottest.Start(t)
		for _, folder := range []string{"INBOX", "Sent"} {
			files, _ := filepath.Glob(filepath.Join(root, "docs", "examples", "Mail", folder, "cur", "*"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				srv.Deliver(t, folder, filepath.Base(f), b)
			}
		}
		return map[string]string{"IMAPS_PORT": strconv.Itoa(srv.IMAPS), "IMAP_PASSWORD": srv.Password}
	},
}
