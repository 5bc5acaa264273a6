package config

import (
	"net/url"
	"strings"
)

// Calendar sources: meetings with people count as talking with them. Both
// types share Attendance: who the user is in the calendar and how many
// people make a meeting too large to be a conversation.

// Attendance is what a calendar source knows of its meetings' people.
type Attendance struct {
	// Me is the user's addresses, as an event names the organizer and the
	// attendees: a meeting counts when one of them organised it or
	// accepted it.
	Me []string
	// MaxAttendees: a meeting of more people than this (the organizer
	// and the attendees, the user among them) is not a conversation.
	MaxAttendees int
}

// DefaultMaxAttendees is max_attendees when the table leaves it out.
const DefaultMaxAttendees = 5

// CalDAVSpec is the calendars of an account on a CalDAV server.
type CalDAVSpec struct {
	Attendance
	// URL is the server: a bare host is enough (https://cloud.example.org),
	// the calendars are found from it.
	URL      string
	Username string
	Password Secret
	// Calendars are the names (or paths) of the calendars to read; empty:
	// every calendar of events.
	Calendars []string
	CAFile    string
}

// ICSSpec is a calendar published at a private address, as Google,
// iCloud, Nextcloud and Fastmail give one. The address is a credential
// (whoever has it reads the calendar), so it is a Secret.
type ICSSpec struct {
	Attendance
	URL Secret
}

func init() {
	registerSource("caldav", func() SourceSpec { return &CalDAVSpec{} })
	registerSource("ics", func() SourceSpec { return &ICSSpec{} })
}

func (*CalDAVSpec) keys() []string {
	return []string{"url", "username", "password", "password_file", "calendars", "ca_file", "me", "max_attendees"}
}

func (*ICSSpec) keys() []string { return []string{"url", "url_file", "me", "max_attendees"} }

func (s *CalDAVSpec) read(r *reader, t map[string]any, p path) {
	if v, ok := r.str(t, p, "url"); ok {
		s.URL = calendarURL(r, p.with("url"), v, true)
	} else if !present(t, "url") {
		r.ps.add(p, "a caldav source needs url = \"https://cloud.example.org\": the server (its calendars are found from it)")
	}
	s.Username, s.Password = r.davLogin(t, p, "caldav", "for iCloud and Fastmail an app-specific password")
	s.Calendars, _ = r.strings(t, p, "calendars")
	if f, ok := r.str(t, p, "ca_file"); ok {
		s.CAFile = r.localPath(f)
	}
	// The login is the user's address on most servers.
	s.Attendance.read(r, t, p, s.Username)
}

func (s *ICSSpec) read(r *reader, t map[string]any, p path) {
	s.URL = r.secret(t, p, "url")
	if s.URL.IsSet() {
		key := "url"
		if present(t, "url_file") {
			key = "url_file"
		}
		s.URL.value = calendarURL(r, p.with(key), s.URL.value, false)
	} else if !present(t, "url", "url_file") {
		r.ps.add(p, "an ics source needs url (or url_file, better: the address is a password): the calendar's private address")
	}
	s.Attendance.read(r, t, p, "")
}

func (a *Attendance) read(r *reader, t map[string]any, p path, login string) {
	a.Me, _ = r.strings(t, p, "me")
	if len(a.Me) == 0 && strings.Contains(login, "@") {
		a.Me = []string{login}
	}
	for _, m := range a.Me {
		if at := strings.IndexByte(m, '@'); at < 1 || at == len(m)-1 {
			r.ps.add(p.with("me"), "%q is not an email address", m)
		}
	}
	if len(a.Me) == 0 && !present(t, "me") {
		r.ps.add(p, "a calendar source needs me = [\"me@example.org\"]: your addresses, as your invitations name you (a meeting counts when you organised or accepted it)")
	}
	a.MaxAttendees = DefaultMaxAttendees
	if n, ok := r.int(t, p, "max_attendees"); ok {
		if n < 2 {
			r.ps.add(p.with("max_attendees"), "must be 2 or more (you and one other), not %d", n)
		}
		a.MaxAttendees = n
	}
	if present(t, "max_recipients") {
		r.ps.add(p.with("max_recipients"), "is for mail; a calendar source takes max_attendees")
	}
}

// calendarURL checks a calendar's address: https (http only to a loopback
// host, a test's or a server on this machine). webcal:// is what calendar
// apps are given and means https. A private address is a credential:
// nothing of it but its scheme and host is ever said (and for an ics
// source not even those).
func calendarURL(r *reader, p path, v string, sayable bool) string {
	v = strings.TrimSpace(v)
	if rest, ok := strings.CutPrefix(v, "webcal://"); ok {
		v = "https://" + rest
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		if sayable {
			r.ps.add(p, "%q is not an https URL such as \"https://cloud.example.org\"", v)
		} else {
			r.ps.add(p, "is not an https address (the private address your calendar gives, starting https:// or webcal://)")
		}
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		r.ps.add(p, "http:// sends your calendar and login in the clear; use https:// (http is allowed only to this machine)")
	}
	return v
}
