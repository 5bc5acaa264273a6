// Package radicaletest runs a real Radicale (a CardDAV and CalDAV server)
// for a test: its own config, storage folder and htpasswd users in a
// throwaway directory, on a free loopback port, with or without TLS.
// Debian's radicale package brings the server; without it the test skips
// (fails under CI).
package radicaletest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
	"github.com/rekindle/rekindle/internal/testsupport/needs"
)

// Server is a running Radicale with one user.
type Server struct {
	Dir      string
	URL      string // http(s)://127.0.0.1:PORT, the bare host
	CAFile   string // with TLS: the authority that signed the server's certificate
	User     string
	Password string

	cmd    *exec.Cmd
	client *http.Client
}

// Options change how the server runs.
type Options struct {
	TLS bool // serve HTTPS with a certificate from a throwaway authority
}

// Start starts Radicale and stops it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := needs.Program(t, "radicale", "radicale")
	dir := t.TempDir()
	s := &Server{Dir: dir, User: "me", Password: "a-secret-pass-0123", client: &http.Client{Timeout: 10 * time.Second}}
	port := loopback.FreePort(t)
	scheme, ssl := "http", "False"
	if opts.TLS {
		s.CAFile = loopback.WriteCert(t, dir)
		scheme, ssl = "https", "True"
		s.client.Transport = &http.Transport{TLSClientConfig: loopback.ClientTLS(t, s.CAFile)}
	}
	s.URL = scheme + "://127.0.0.1:" + strconv.Itoa(port)
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(s.User+":"+s.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`[server]
hosts = 127.0.0.1:%[2]d
ssl = %[3]s
certificate = %[1]s/cert.pem
key = %[1]s/key.pem

[auth]
type = htpasswd
htpasswd_filename = %[1]s/users
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = %[1]s/collections

[web]
type = none

[logging]
level = warning
mask_passwords = True
`, dir, port, ssl)
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "--config", cfg)
	// Radicale also reads the user's own config unless told where it is.
	s.cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir)
	var log bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &log, &log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
		if t.Failed() {
			t.Logf("radicale's log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second) // a busy machine starts Python slowly
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not start: %v\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// Home is the path of the user's collections: /me/.
func (s *Server) Home() string { return "/" + s.User + "/" }

// MakeAddressBook makes an address book at Home()+name+"/".
func (s *Server) MakeAddressBook(t testing.TB, name, displayName string) string {
	t.Helper()
	return s.makeCollection(t, name, "<C:addressbook xmlns:C=\"urn:ietf:params:xml:ns:carddav\"/>", displayName)
}

// MakeCalendar makes a calendar of events at Home()+name+"/".
func (s *Server) MakeCalendar(t testing.TB, name, displayName string) string {
	t.Helper()
	return s.makeCollection(t, name, "<C:calendar xmlns:C=\"urn:ietf:params:xml:ns:caldav\"/>", displayName)
}

func (s *Server) makeCollection(t testing.TB, name, kind, displayName string) string {
	t.Helper()
	path := s.Home() + name + "/"
	body := `<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:"><D:set><D:prop>
<D:resourcetype><D:collection/>` + kind + `</D:resourcetype>
<D:displayname>` + displayName + `</D:displayname>
</D:prop></D:set></D:mkcol>`
	s.Do(t, "MKCOL", path, "application/xml; charset=utf-8", body, http.StatusCreated)
	return path
}

// Put stores a vCard (in an address book) or an iCalendar object (in a
// calendar) at path, and returns its ETag.
func (s *Server) Put(t testing.TB, path, body string) string {
	t.Helper()
	typ := "text/vcard; charset=utf-8"
	if strings.HasPrefix(strings.TrimSpace(body), "BEGIN:VCALENDAR") {
		typ = "text/calendar; charset=utf-8"
	}
	res := s.Do(t, "PUT", path, typ, body, 0)
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %s", path, res.Status)
	}
	return res.Header.Get("ETag")
}

// Delete removes what is at path.
func (s *Server) Delete(t testing.TB, path string) {
	t.Helper()
	res := s.Do(t, "DELETE", path, "", "", 0)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE %s: %s", path, res.Status)
	}
}

// Do sends one request as the user and fails the test unless the answer
// has status want (0: any status). The body is read and closed.
func (s *Server) Do(t testing.TB, method, path, contentType, body string, want int) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.SetBasicAuth(s.User, s.Password)
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if want != 0 && res.StatusCode != want {
		t.Fatalf("%s %s: %s\n%s", method, path, res.Status, b)
	}
	return res
}
