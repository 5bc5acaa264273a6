package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"testing"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
)

// TestTrustCAFile: a handshake checked by TrustCAFile ends as one checked
// against CertPool's authorities (the system's and ca_file's) does, with
// the same error, whether ca_file signs the server's certificate, signs
// it for another name, or does not sign it.
func TestTrustCAFile(t *testing.T) {
	ca, addr := caServer(t)
	other := loopback.WriteCert(t, t.TempDir())
	handshake := func(tc *tls.Config) error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return tls.Client(c, tc).Handshake()
	}
	for _, tc := range []struct {
		caFile, host string
		ok           bool
		as           any
	}{
		{ca, "127.0.0.1", true, nil},
		{ca, "localhost", true, nil},
		{ca, "imap.example.org", false, &x509.HostnameError{}},
		{other, "127.0.0.1", false, &x509.UnknownAuthorityError{}},
	} {
		pool, err := CertPool(tc.caFile)
		if err != nil {
			t.Fatal(err)
		}
		want := handshake(&tls.Config{ServerName: tc.host, RootCAs: pool})
		c := &tls.Config{ServerName: tc.host}
		if err := TrustCAFile(c, tc.host, tc.caFile); err != nil {
			t.Fatal(err)
		}
		got := handshake(c)
		if (got == nil) != tc.ok || (want == nil) != tc.ok {
			t.Errorf("%s for %s: got %v, CertPool's %v", filepath.Base(filepath.Dir(tc.caFile)), tc.host, got, want)
			continue
		}
		if got != nil && got.Error() != want.Error() {
			t.Errorf("%s: got %q, CertPool's %q", tc.host, got, want)
		}
		var v *tls.CertificateVerificationError
		if got != nil && !errors.As(got, &v) {
			t.Errorf("%s: %T is no CertificateVerificationError", tc.host, got)
		}
		switch tc.as.(type) {
		case *x509.HostnameError:
			var h x509.HostnameError
			if !errors.As(got, &h) {
				t.Errorf("%s: %v is no HostnameError", tc.host, got)
			}
		case *x509.UnknownAuthorityError:
			var u x509.UnknownAuthorityError
			if !errors.As(got, &u) {
				t.Errorf("%s: %v is no UnknownAuthorityError", tc.host, got)
			}
		}
	}
	// ca_file's errors are CertPool's.
	for _, f := range []string{filepath.Join(filepath.Dir(ca), "key.pem"), filepath.Join(filepath.Dir(ca), "none.pem")} {
		_, want := CertPool(f)
		if err := TrustCAFile(&tls.Config{}, "h", f); err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("%s: %v, CertPool's %v", f, err, want)
		}
	}
}

// TestTrustCAFileNeedsAHost: with no host to check the certificate
// against, TrustCAFile refuses as the handshake's own check does (it asks
// for a ServerName), rather than take any certificate ca_file signs,
// whatever name it is for.
func TestTrustCAFileNeedsAHost(t *testing.T) {
	ca, addr := caServer(t)
	c := &tls.Config{}
	if err := TrustCAFile(c, "", ca); err == nil {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := tls.Client(conn, c).Handshake(); err == nil {
			t.Error("a handshake with no host to check took the server's certificate")
		}
	}
}

// caServer starts a TLS server on loopback whose certificate, for
// 127.0.0.1 and localhost, is signed by the authority in the returned
// ca_file; it answers every connection's handshake.
func caServer(t *testing.T) (ca, addr string) {
	t.Helper()
	dir := t.TempDir()
	ca = loopback.WriteCert(t, dir)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.(*tls.Conn).Handshake()
				c.Read(make([]byte, 1))
			}()
		}
	}()
	return ca, ln.Addr().String()
}
