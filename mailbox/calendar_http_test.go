package mailbox

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
)

// A CalDAV server that, once logged in to, redirects elsewhere (another
// host, or plain http) never gets the password carried there: the login
// goes only to the host in url, and the other host, though it asks for
// Basic, sees no credential.
func TestCalendarCredentialsStayHome(t *testing.T) {
	t.Parallel()
	const password = "stay-home-password-31"
	other := loopback.NewElsewhere(t)
	home := other.SendsThere(t, "me", password)
	cfg := calSource(t, fmt.Sprintf("type = \"caldav\"\nurl = %q\nusername = \"me\"\npassword = %q\nme = [\"me@home.example\"]\n", home+"/dav/", password))
	_, err := Check(context.Background(), cfg.Sources["cal"])
	if err == nil {
		t.Fatal("check went through a server that only refuses")
	}
	other.NoLoginCame(t)
}

// A server on https that redirects to plain http is not followed: the
// calendar would travel in the clear.
func TestCalendarNoDowngrade(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	plainHits := 0
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		plainHits++
		mu.Unlock()
		w.WriteHeader(http.StatusMultiStatus)
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(secure.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw}), 0o600)
	cfg := calSource(t, fmt.Sprintf("type = \"caldav\"\nurl = %q\nusername = \"me\"\npassword = \"pw-downgrade-1\"\nme = [\"me@home.example\"]\nca_file = %q\n", secure.URL+"/dav/", ca))
	_, err := Check(context.Background(), cfg.Sources["cal"])
	if err == nil || !strings.Contains(err.Error(), "without https") {
		t.Errorf("a redirect to http: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if plainHits != 0 {
		t.Errorf("the plain server was asked %d times", plainHits)
	}
}
