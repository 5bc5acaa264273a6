package config

import (
	"slices"
	"strings"
)

// NtfySpec is an ntfy channel: push to a phone through an ntfy server.
type NtfySpec struct {
	URL      string // the server; https://ntfy.sh by default
	Topic    string
	Username string
	Password Secret
	Token    Secret // an access token, instead of username and password
	Priority int    // 1..5; 0 means the server's default
	Tags     []string
}

// ntfyTopic is what an ntfy server accepts as a topic name.
var ntfyTopic = lazyRegexp(`^[-_A-Za-z0-9]{1,64}$`)

// ntfyReservedTopics are the names an ntfy server keeps for its own pages
// and API (the list it ships with) and refuses as topics, every time, with
// error code 40010. The match is exact: "Docs" is a topic, "docs" is not.
var ntfyReservedTopics = []string{"docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1"}

func init() { registerChannel("ntfy", func() ChannelSpec { return &NtfySpec{} }) }

func (*NtfySpec) keys() []string {
	return []string{"type", "url", "topic", "token", "token_file", "username", "password", "password_file", "priority", "tags"}
}

func (s *NtfySpec) read(r *reader, t map[string]any, p path) {
	s.URL = "https://ntfy.sh"
	if u, ok := r.str(t, p, "url"); ok {
		s.URL = strings.TrimRight(u, "/")
	}
	r.httpURL(s.URL, p.with("url"))
	s.Topic, _ = r.str(t, p, "topic")
	if s.Topic == "" {
		r.ps.add(p, "an ntfy channel needs a topic = \"...\"")
	} else if !ntfyTopic().MatchString(s.Topic) {
		r.ps.add(p.with("topic"), "%q is not a topic ntfy accepts: 1 to 64 of the letters A-Z and a-z, digits, '-' and '_'", s.Topic)
	} else if slices.Contains(ntfyReservedTopics, s.Topic) {
		r.ps.add(p.with("topic"), "%q is one of the names ntfy keeps for itself (%s) and refuses as a topic; choose another name",
			s.Topic, strings.Join(ntfyReservedTopics, ", "))
	}
	s.Username, _ = r.str(t, p, "username")
	s.Token = r.secret(t, p, "token")
	s.Password = r.secret(t, p, "password")
	if s.Token.IsSet() && s.Username != "" {
		r.ps.add(p.with("username"), "use either token or username and password, not both")
	}
	if s.Username != "" && !present(t, "password", "password_file") {
		r.ps.add(p.with("username"), "a username needs a password (or password_file)")
	}
	if n, ok := r.int(t, p, "priority"); ok {
		if n < 1 || n > 5 {
			r.ps.add(p.with("priority"), "ntfy priorities run from 1 (min) to 5 (max), not %d", n)
		}
		s.Priority = n
	}
	s.Tags, _ = r.strings(t, p, "tags")
}
