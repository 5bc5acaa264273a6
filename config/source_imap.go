package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
)

// IMAPSpec is a mailbox on an IMAP server: the inbox and the sent folder
// (found by its \Sent mark), or the folders named.
type IMAPSpec struct {
	Host     string
	Port     int    // follows TLS unless set: 993 or 143
	TLS      string // implicit, starttls or none (loopback only)
	Username string
	Password Secret
	// Auth is how to log in: "password" (LOGIN), or with an OAuth2 access
	// token read from TokenFile at each connection, "xoauth2" (Gmail,
	// Outlook) or "oauthbearer" (RFC 7628).
	Auth      string
	TokenFile string
	// Inbox and Sent are the folders to read: mail to the user, mail from
	// the user. Empty: INBOX, and the folder the server marks \Sent.
	Inbox, Sent []string
	// Phone is the folders where SMS Backup+ keeps texts and calls (its
	// defaults: "SMS" and "Call log"). Empty: none is read.
	Phone  []string
	CAFile string // a certificate authority to trust besides the system's (a self-hosted server)
}

func init() { registerSource("imap", func() SourceSpec { return &IMAPSpec{} }) }

func (*IMAPSpec) keys() []string {
	return []string{"host", "port", "tls", "username", "password", "password_file", "auth", "token_file", "inbox", "sent", "phone", "ca_file"}
}

func (s *IMAPSpec) read(r *reader, t map[string]any, p path) {
	s.Host, _ = r.str(t, p, "host")
	if s.Host == "" {
		r.ps.add(p, "an imap source needs host = \"imap.example.org\"")
	}
	s.TLS, s.Port = r.transport(t, p, s.Host, "implicit", map[string]int{"implicit": 993, "starttls": 143, "none": 143})
	s.Username, _ = r.str(t, p, "username")
	if s.Username == "" {
		r.ps.add(p, "an imap source needs username = \"me@example.org\"")
	}
	s.Auth = "password"
	if v, ok := r.str(t, p, "auth"); ok {
		switch v {
		case "password", "xoauth2", "oauthbearer":
			s.Auth = v
		default:
			r.ps.add(p.with("auth"), "auth must be \"password\", \"xoauth2\" or \"oauthbearer\", not %q", v)
		}
	}
	s.Password = r.secret(t, p, "password")
	if f, ok := r.str(t, p, "token_file"); ok {
		s.TokenFile = r.localPath(f)
	}
	switch {
	case s.Auth == "password" && !s.Password.IsSet() && !present(t, "password", "password_file"):
		r.ps.add(p, "an imap source needs password (or password_file), or auth = \"xoauth2\" with token_file")
	case s.Auth != "password" && s.TokenFile == "":
		r.ps.add(p.with("auth"), "auth = %q needs token_file: a file that holds the OAuth2 access token, kept fresh by your token helper", s.Auth)
	case s.Auth != "password" && present(t, "password", "password_file"):
		r.ps.add(p.with("auth"), "auth = %q logs in with token_file; leave password out", s.Auth)
	}
	s.Inbox, _ = r.strings(t, p, "inbox")
	s.Sent, _ = r.strings(t, p, "sent")
	s.Phone = r.phoneFolders(t, p)
	for _, n := range s.Phone {
		if slices.ContainsFunc(append(append([]string{"INBOX"}, s.Inbox...), s.Sent...), func(m string) bool { return sameIMAPFolder(m, n) }) {
			r.ps.add(p.with("phone"), "%q is read as mail (inbox or sent); SMS Backup+ needs folders of its own, such as \"SMS\" and \"Call log\"", n)
		}
	}
	if f, ok := r.str(t, p, "ca_file"); ok {
		s.CAFile = r.localPath(f)
	}
}

// sameIMAPFolder says whether two folder names are one folder: INBOX is
// INBOX in any case (RFC 3501), other names as written.
func sameIMAPFolder(a, b string) bool {
	if strings.EqualFold(a, "INBOX") {
		return strings.EqualFold(b, "INBOX")
	}
	return a == b
}

// MaxCAFileSize is the largest ca_file: a bundle of a few hundred
// certificates.
const MaxCAFileSize = 1 << 20

// ReadCAFile reads an IMAP source's ca_file when it connects, under the
// same rules as a secret file: a regular file, of at most MaxCAFileSize,
// so that /dev/zero or a FIFO is an error, not a daemon out of memory or
// a check that hangs.
func ReadCAFile(name string) ([]byte, error) {
	b, err := readLimited(name, MaxCAFileSize, "ca_file")
	if err != nil {
		return nil, fmt.Errorf("cannot read ca_file: %v", err)
	}
	return b, nil
}

// Roots is CertPool of a ca_file that may be left out: nil (the
// system's authorities) when caFile is "".
func Roots(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	return CertPool(caFile)
}

// CertPool is the authorities a source trusts: the system's, and those
// of the source's ca_file (ReadCAFile). It is the one reading of ca_file
// for the mail, address-book and calendar sources.
func CertPool(caFile string) (*x509.CertPool, error) {
	pem, err := ReadCAFile(caFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

// TrustCAFile makes tc check the certificate of host as CertPool's
// authorities would, the system's and ca_file's together, without reading
// the system's (over a hundred certificates parsed, at every connection)
// when ca_file's alone sign it, as they do a server of the user's own: a
// chain that verifies against the two together ends at one authority, of
// the one or of the other, so ca_file's are tried first and the two
// together only when they fail, the error then the one CertPool's would
// give. The check replaces the handshake's own (InsecureSkipVerify skips
// that one only), with the same options and error. caFile is read now,
// with ReadCAFile's rules and CertPool's errors.
func TrustCAFile(tc *tls.Config, host, caFile string) error {
	if host == "" {
		// The handshake's own check refuses a config without a
		// ServerName; x509 would check no name at all.
		return fmt.Errorf("ca_file %s: no host to check the server's certificate against", caFile)
	}
	pem, err := ReadCAFile(caFile)
	if err != nil {
		return err
	}
	own := x509.NewCertPool()
	if !own.AppendCertsFromPEM(pem) {
		return fmt.Errorf("ca_file %s holds no PEM certificate", caFile)
	}
	tc.RootCAs = nil
	tc.InsecureSkipVerify = true
	tc.VerifyConnection = func(cs tls.ConnectionState) error {
		certs := cs.PeerCertificates
		if len(certs) == 0 {
			return &tls.CertificateVerificationError{Err: fmt.Errorf("the server sent no certificate")}
		}
		opts := x509.VerifyOptions{Roots: own, DNSName: host, Intermediates: x509.NewCertPool()}
		if tc.Time != nil {
			opts.CurrentTime = tc.Time()
		}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := certs[0].Verify(opts); err == nil {
			return nil
		}
		all, err := x509.SystemCertPool()
		if err != nil || all == nil {
			all = x509.NewCertPool()
		}
		all.AppendCertsFromPEM(pem)
		opts.Roots = all
		if _, err := certs[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		return nil
	}
	return nil
}
