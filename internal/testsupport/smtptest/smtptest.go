// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// for tests: STARTTLS or implicit TLS with a certificate made for the test,
// AUTH PLAIN against a user list, and every accepted message recorded.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how the server speaks TLS.
type Mode int

// Modes.
const (
	StartTLS Mode = iota // plain connection, STARTTLS required before AUTH
	Implicit             // TLS from the first byte (port 465 style)
	Plain                // no TLS at all (loopback relays)
)

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Data []byte
	User string // who logged in, "" for nobody
	TLS  bool   // whether the connection was encrypted
}

// Server is a running SMTP server on 127.0.0.1.
type Server struct {
	Addr  string         // host:port
	Roots *x509.CertPool // trusts the server's certificate

	srv   *smtp.Server
	ln    net.Listener
	users map[string]string

	echoAuth atomic.Bool

	mu   sync.Mutex
	mail []Mail
}

// Start starts a server in mode; users maps user names to passwords (nil:
// no AUTH offered or needed).
func Start(mode Mode, users map[string]string) (*Server, error) {
	cert, roots, err := certificate()
	if err != nil {
		return nil, err
	}
	s := &Server{Roots: roots, users: users}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = mode == Plain
	srv.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}}
	var ln net.Listener
	switch mode {
	case Implicit:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	case StartTLS:
		srv.TLSConfig = tlsConf
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, err
	}
	s.srv, s.ln, s.Addr = srv, ln, ln.Addr().String()
	go srv.Serve(ln)
	return s, nil
}

// EchoAuth makes a refused login echo the client's AUTH PLAIN response,
// base64 and all, in the 535 reply, as a careless or hostile server might.
func (s *Server) EchoAuth() { s.echoAuth.Store(true) }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Mail returns the accepted messages.
func (s *Server) Mail() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if want, ok := ss.s.users[username]; !ok || want != password {
			msg := "Authentication credentials invalid"
			if ss.s.echoAuth.Load() {
				// As some servers do: the client's response, echoed.
				msg += " for " + base64.StdEncoding.EncodeToString([]byte(identity+"\x00"+username+"\x00"+password))
			}
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: msg}
		}
		ss.user = username
		return nil
	}), nil
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.users != nil && ss.user == "" {
		return errAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.mail = append(ss.s.mail, Mail{From: ss.from, To: ss.to, Data: bytes.Clone(b), User: ss.user, TLS: isTLS})
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// certificate makes a self-signed certificate for 127.0.0.1 and localhost.
func certificate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "rekindle test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	if roots == nil {
		return tls.Certificate{}, nil, errors.New("no roots")
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}
