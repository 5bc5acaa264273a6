package davhttp

import (
	"crypto/x509"
	"errors"
	"net"
	"net/url"
)

// Explain says what a failed request to a server means to the person who
// set the source up, and what to do about it where that is clear: a
// login refused, an answer too large, a redirect not followed, a
// certificate that does not verify, no answer in time. where names the
// server as it may be said (a host, never an ics address, which is a
// password). ok is false for any other error, which the source says in
// its own words.
func Explain(err error, where string) (msg, fix string, ok bool) {
	var refused *refusal
	var elsewhere *elsewhereError
	var large tooLarge
	var redirects *redirectsError
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var ne net.Error
	inner := err // what went wrong, without the address
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	switch {
	case errors.As(err, &refused):
		return where + " " + refused.Error(), "check username and password; iCloud and Fastmail want an app-specific password", true
	case errors.As(err, &elsewhere):
		return "the server sends rekindle to " + elsewhere.there + ", which asks for a login; rekindle gives yours only to " + elsewhere.home,
			"if " + elsewhere.there + " is your server too, write url with it", true
	case errors.As(err, &large):
		return where + ": " + large.Error(), "", true
	case errors.Is(err, errDowngrade):
		return where + " " + errDowngrade.Error(), "the server, or a proxy before it, should keep to https", true
	case errors.As(err, &redirects):
		return where + " " + redirects.Error(), "write url with the address the server ends at", true
	case errors.As(err, &unknown), errors.As(err, &invalid):
		return "the certificate of " + where + " does not verify: " + inner.Error(),
			"for your own server, set ca_file to the certificate authority that signed it", true
	case errors.As(err, &host):
		return "the certificate of " + where + " is for another name: " + inner.Error(),
			"write url with the name on the certificate", true
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer in time from " + where, "the server may be down or overloaded; rekindle tries again later", true
	}
	return "", "", false
}

// Bare is err without the address net/http puts in its errors (an ics
// address is a password).
func Bare(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
