package notifier

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["email"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		return newEmail(name, spec.(*config.EmailSpec), o)
	}
}

// emailChannel sends a multipart (plain text and HTML) message over SMTP with
// STARTTLS, implicit TLS, or no TLS to a loopback relay, using
// wneessen/go-mail for its timeouts and TLS modes.
type emailChannel struct {
	name     string
	host     string
	port     int
	tlsMode  string
	username string
	password string
	from     string
	to       []string
	timeout  time.Duration
	roots    *x509.CertPool
}

func newEmail(name string, s *config.EmailSpec, o Options) *emailChannel {
	return &emailChannel{
		name: name, host: s.Host, port: s.Port, tlsMode: s.TLS, username: s.Username,
		password: s.Password.Reveal(), from: s.From, to: s.To, timeout: o.Timeout, roots: o.RootCAs,
	}
}

// Name returns the channel's name.
func (e *emailChannel) Name() string { return e.name }

// Type returns "email".
func (e *emailChannel) Type() string { return "email" }

// Send implements notify.Notifier.
func (e *emailChannel) Send(ctx context.Context, subject, message string) error {
	return e.Deliver(ctx, Message{Title: subject, Lead: message})
}

// htmlDocument wraps a message's HTML fragment in a small, self-contained
// page that mail clients render well.
func htmlDocument(m Message) string {
	body := htmlFragment(m)
	for _, l := range m.Links {
		body += "<p><a href=\"" + html.EscapeString(l.URL) + "\">" + html.EscapeString(l.Label) + "</a></p>\n"
	}
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(m.Title) + "</title></head>\n" +
		"<body style=\"font-family: sans-serif; line-height: 1.5; max-width: 36em;\">\n" +
		"<h2 style=\"font-weight: normal;\">" + html.EscapeString(m.Title) + "</h2>\n" + body +
		"<p style=\"color: #777; font-size: small;\">Sent by rekindle, to you only.</p>\n</body></html>\n"
}

func (e *emailChannel) message(m Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(e.from); err != nil {
		return nil, fmt.Errorf("from address %q: %w", e.from, err)
	}
	if err := msg.To(e.to...); err != nil {
		return nil, fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Title)
	msg.SetDate()
	if m.ID != "" {
		// The same Message-ID at every attempt: a mail sent twice (the
		// one window a crash leaves) is one message to mail clients.
		msg.SetMessageIDWithValue(m.ID + ".rekindle@" + domainOf(e.from))
	} else {
		msg.SetMessageID()
	}
	msg.SetGenHeader(mail.HeaderXMailer, "rekindle")
	text := m.WithLinks(m.Text(), "\n\n", compose.PlainLink)
	msg.SetBodyString(mail.TypeTextPlain, text+"\n\n-- \nSent by rekindle, to you only.\n")
	msg.AddAlternativeString(mail.TypeTextHTML, htmlDocument(m))
	return msg, nil
}

// domainOf is the domain of an address such as "rekindle <me@example.com>",
// for Message-IDs; "rekindle.invalid" when it has none.
func domainOf(addr string) string {
	a, err := netmail.ParseAddress(addr)
	if err != nil {
		return "rekindle.invalid"
	}
	if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
		return d
	}
	return "rekindle.invalid"
}

// Deliver sends m to every recipient.
func (e *emailChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, e.timeout)
	defer cancel()
	msg, err := e.message(m)
	if err != nil {
		return &Error{Channel: e.name, Msg: err.Error(), Fix: "check from and to", Err: err}
	}
	timeout := e.timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	opts := []mail.Option{mail.WithPort(e.port), mail.WithTimeout(timeout), mail.WithHELO("localhost")}
	tlsConf := &tls.Config{ServerName: e.host, RootCAs: e.roots, MinVersion: tls.VersionTLS12}
	switch e.tlsMode {
	case "implicit":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConf))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConf))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if e.username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if e.tlsMode == "none" {
			auth = mail.SMTPAuthPlainNoEnc // loopback only, enforced by config
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(e.username), mail.WithPassword(e.password))
	}
	client, err := mail.NewClient(e.host, opts...)
	if err != nil {
		secrets := append([]string{e.password}, plainAuth(e.username, e.password)...)
		return &Error{Channel: e.name, Msg: "SMTP settings: " + redactAll(err.Error(), secrets), Err: redactedError{err, secrets}}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return e.classify(err)
	}
	return nil
}

// classify sorts SMTP failures: a 4xx reply is temporary, a 5xx reply
// (a refused login, an unknown recipient) permanent, no answer temporary.
func (e *emailChannel) classify(err error) error {
	secrets := append([]string{e.password}, plainAuth(e.username, e.password)...)
	var tp *textproto.Error
	var se *mail.SendError
	switch {
	case errors.As(err, &tp):
		out := &Error{Channel: e.name, Status: tp.Code, Retryable: tp.Code < 500,
			Msg: fmt.Sprintf("the mail server answered %d %s", tp.Code, redactAll(tp.Msg, secrets)), Err: redactedError{err, secrets}}
		if strings.Contains(err.Error(), "SMTP AUTH failed") {
			out.Msg = "login refused: " + out.Msg
			out.Fix = "check username and password"
		}
		return out
	case errors.As(err, &se):
		out := &Error{Channel: e.name, Status: se.ErrorCode(), Retryable: se.IsTemp(),
			Msg: "the mail server refused the message: " + redactAll(se.Error(), secrets), Err: redactedError{err, secrets}}
		return out
	case strings.Contains(err.Error(), "SMTP AUTH failed"), strings.Contains(err.Error(), "does not support SMTP AUTH"):
		return &Error{Channel: e.name, Msg: redactAll(err.Error(), secrets), Fix: "check username, password and tls",
			Err: redactedError{err, secrets}}
	case strings.Contains(err.Error(), "STARTTLS"):
		return &Error{Channel: e.name, Msg: redactAll(err.Error(), secrets), Fix: `the server offers no STARTTLS; try tls = "implicit" (port 465)`,
			Err: redactedError{err, secrets}}
	}
	return networkFailure(e.name, err, secrets...)
}

// htmlFragment is m as an HTML fragment, for email.
func htmlFragment(m Message) string {
	if len(m.Items) > 0 {
		return compose.Sections(m.Items, "\n", func(it Message) string { return "<h3>" + html.EscapeString(it.Title) + "</h3>\n" + htmlFragment(it) })
	}
	var s strings.Builder
	s.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(m.Lead), "\n", "<br>\n") + "</p>\n")
	if len(m.Starters) > 0 {
		s.WriteString("<p><strong>" + compose.StartersHeading + "</strong></p>\n<ul>\n")
		for _, x := range m.Starters {
			s.WriteString("<li>" + html.EscapeString(x) + "</li>\n")
		}
		s.WriteString("</ul>\n")
	}
	if m.Opener != "" {
		s.WriteString("<p><strong>" + compose.OpenerHeading + "</strong></p>\n<blockquote>" + html.EscapeString(m.Opener) + "</blockquote>\n")
	}
	return s.String()
}
