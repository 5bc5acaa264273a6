package mailbox

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/hint"
)

// TestErrorHintApart: a source's fix travels through Hint (internal/hint),
// never inside its text, so the command prints it once, on its own line.
func TestErrorHintApart(t *testing.T) {
	errs := []error{
		connectError("work", "imap.example.org:993", "implicit", x509.UnknownAuthorityError{}),
		connectError("work", "imap.example.org:993", "implicit", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "imap.example.org"}),
		connectError("work", "imap.example.org:993", "implicit", errors.New("tls: first record does not look like a TLS handshake")),
	}
	for _, err := range errs {
		h := hint.Of(err)
		if h == "" {
			t.Errorf("%v: no hint", err)
			continue
		}
		if strings.Contains(err.Error(), h) {
			t.Errorf("%q carries its hint %q in its text", err.Error(), h)
		}
		if !strings.HasPrefix(err.Error(), "source work: ") {
			t.Errorf("%q does not name the source", err.Error())
		}
	}
	// No fix: no hint, and nothing in brackets.
	plain := connectError("work", "imap.example.org:993", "implicit", errors.New("connection refused"))
	if h := hint.Of(plain); h != "" {
		t.Errorf("%v: hint %q, want none", plain, h)
	}
}
