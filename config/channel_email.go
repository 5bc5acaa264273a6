package config

import (
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"
)

// EmailSpec is an email channel: a message over SMTP.
type EmailSpec struct {
	Host     string
	Port     int    // follows TLS unless set: 465, 587 or 25
	TLS      string // implicit, starttls or none (loopback only)
	Username string
	Password Secret
	From     string
	To       []string
}

func init() { registerChannel("email", func() ChannelSpec { return &EmailSpec{} }) }

func (*EmailSpec) keys() []string {
	return []string{"type", "host", "port", "tls", "username", "password", "password_file", "from", "to"}
}

func (s *EmailSpec) read(r *reader, t map[string]any, p path) {
	s.Host, _ = r.str(t, p, "host")
	if s.Host == "" {
		r.ps.add(p, "an email channel needs a host = \"smtp.example.com\"")
	}
	s.TLS, s.Port = r.transport(t, p, s.Host, "starttls", map[string]int{"implicit": 465, "starttls": 587, "none": 25})
	s.Username, _ = r.str(t, p, "username")
	s.Password = r.secret(t, p, "password")
	if s.Username != "" && !present(t, "password", "password_file") {
		r.ps.add(p.with("username"), "a username needs a password (or password_file)")
	}
	s.From, _ = r.str(t, p, "from")
	if s.From == "" {
		r.ps.add(p, "an email channel needs from = \"rekindle <me@example.com>\"")
	} else if msg := mailAddressProblem(s.From, "from"); msg != "" {
		r.ps.add(p.with("from"), "%s", msg)
	}
	s.To, _ = r.strings(t, p, "to")
	if len(s.To) == 0 {
		r.ps.add(p, "an email channel needs to = [\"me@example.com\"]")
	}
	for _, a := range s.To {
		if msg := mailAddressProblem(a, "to"); msg != "" {
			r.ps.add(p.with("to"), "%s", msg)
		}
	}
}

// mailAddressProblem says what is wrong with addr, the value of key (from
// or to), as the mail library that sends reads it (go-mail's From and To
// parse with net/mail), or "" when nothing is: an address refused here
// would fail every delivery for good. Where it can, it shows the fix.
func mailAddressProblem(addr, key string) string {
	_, err := netmail.ParseAddress(addr)
	if err == nil {
		return ""
	}
	why := strings.TrimPrefix(err.Error(), "mail: ")
	msg := fmt.Sprintf("%q is not one email address (%s), so every mail would be refused", addr, why)
	if fixed := quoteName(addr); fixed != "" {
		msg += "; a name with a comma, dot or other mark goes in double quotes: "
		if key == "from" {
			return msg + "from = " + tomlString(fixed)
		}
		return msg + "to = [" + tomlString(fixed) + "]"
	}
	if list, err := netmail.ParseAddressList(addr); err == nil && len(list) > 1 {
		if key == "from" {
			return msg + "; mail has one sender"
		}
		return msg + "; give each address as a string of its own: to = [\"a@example.org\", \"b@example.org\"]"
	}
	return msg
}

// quoteName puts the name before an <address> in double quotes when that
// makes addr one address (Müller, Jörg <j@example.org> becomes
// "Müller, Jörg" <j@example.org>), and returns "" when it does not help.
func quoteName(addr string) string {
	i := strings.LastIndex(addr, "<")
	if i < 0 {
		return ""
	}
	name := strings.TrimSpace(addr[:i])
	if name == "" || strings.HasPrefix(name, `"`) {
		return ""
	}
	name = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
	fixed := `"` + name + `" ` + strings.TrimSpace(addr[i:])
	if _, err := netmail.ParseAddress(fixed); err != nil {
		return ""
	}
	return fixed
}

// tomlString writes s as a TOML string: literal (in single quotes) when it
// can be, so its double quotes need no backslashes.
func tomlString(s string) string {
	if !strings.ContainsAny(s, "'\n\r\t") {
		return "'" + s + "'"
	}
	return strconv.Quote(s)
}

// transport reads tls and port for a connection to host: tls is
// "implicit", "starttls" or "none" (loopback only: it sends the password
// in the clear), deflt when left out; the port follows it unless set.
func (r *reader) transport(t map[string]any, p path, host, deflt string, ports map[string]int) (tls string, port int) {
	tls = deflt
	if v, ok := r.str(t, p, "tls"); ok {
		switch v {
		case "implicit", "starttls", "none":
			tls = v
		default:
			r.ps.add(p.with("tls"), "tls must be \"implicit\" (port %d), \"starttls\" (port %d) or \"none\" (loopback only), not %q",
				ports["implicit"], ports["starttls"], v)
		}
	}
	port = ports[tls]
	if n, ok := r.int(t, p, "port"); ok {
		if n < 1 || n > 65535 {
			r.ps.add(p.with("port"), "port %d is out of range 1-65535", n)
		}
		port = n
	}
	if tls == "none" && host != "" && !isLoopback(host) {
		r.ps.add(p.with("tls"), "tls = \"none\" sends the password in the clear and is allowed only to a loopback host, not %q; use \"starttls\" or \"implicit\"", host)
	}
	return tls, port
}
