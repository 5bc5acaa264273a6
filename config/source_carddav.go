package config

import (
	"net/url"
	"strings"
)

// CardDAVSpec is an address book on a CardDAV server (Nextcloud, iCloud,
// Fastmail, Radicale, Baïkal): its cards are people, read only, as import
// reads a vCard file. See docs/addressbook.md.
type CardDAVSpec struct {
	// URL is where to start: the bare host (https://cloud.example.org),
	// from which the address books are found, or one address book.
	URL      string
	Username string
	Password Secret
	// Books names the address books to read, by their name or the last
	// part of their path; empty: all of them.
	Books []string
	// OnlyCategory, when set, takes only the cards in that category
	// (CATEGORIES), so that a user can mark who matters on the phone.
	OnlyCategory string
	CAFile       string // a certificate authority to trust besides the system's
}

func init() { registerSource("carddav", func() SourceSpec { return &CardDAVSpec{} }) }

func (*CardDAVSpec) keys() []string {
	return []string{"url", "username", "password", "password_file", "books", "only_category", "ca_file"}
}

func (s *CardDAVSpec) read(r *reader, t map[string]any, p path) {
	s.URL, _ = r.str(t, p, "url")
	switch u, err := url.Parse(s.URL); {
	case s.URL == "":
		if !present(t, "url") {
			r.ps.add(p, "a carddav source needs url = \"https://cloud.example.org\": the server, or one address book on it")
		}
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		r.ps.add(p.with("url"), "%q is not a server's address such as \"https://cloud.example.org\"", s.URL)
	case u.User != nil:
		r.ps.add(p.with("url"), "leave the login out of url; write username and password (or password_file)")
	}
	s.Username, s.Password = r.davLogin(t, p, "carddav", "for iCloud, an app-specific password")
	s.Books, _ = r.strings(t, p, "books")
	if v, ok := r.str(t, p, "only_category"); ok {
		s.OnlyCategory = strings.TrimSpace(v)
		if s.OnlyCategory == "" {
			r.ps.add(p.with("only_category"), "is empty; name a category, or leave the line out")
		}
	}
	if f, ok := r.str(t, p, "ca_file"); ok {
		s.CAFile = r.localPath(f)
	}
}

// ReadsPeople reports whether the source is an address book, whose
// cards are people, rather than a mailbox.
func (s *Source) ReadsPeople() bool {
	_, ok := s.Spec.(*CardDAVSpec)
	return ok
}

// davLogin reads the username and password (or password_file) a CardDAV
// or CalDAV source (typ) must have; fix says which password a service
// wants when it is missing.
func (r *reader) davLogin(t map[string]any, p path, typ, fix string) (string, Secret) {
	user, _ := r.str(t, p, "username")
	if user == "" {
		r.ps.add(p, "a %s source needs username = \"me@example.org\"", typ)
	}
	pass := r.secret(t, p, "password")
	if !pass.IsSet() && !present(t, "password", "password_file") {
		r.ps.add(p, "a %s source needs password (or password_file): %s", typ, fix)
	}
	return user, pass
}
