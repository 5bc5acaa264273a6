package config

// MattermostSpec is a Mattermost channel, posted to through the server's
// API (/api/v4/posts) by nikoksr/notify's http service: with a bot's
// or a personal access token, or with a login and password.
type MattermostSpec struct {
	URL      string // the server, https://chat.example.org
	Channel  string // the channel's id
	Token    Secret // a bot or personal access token
	LoginID  string // or a login (email or username) ...
	Password Secret // ... and its password
}

func init() { registerChannel("mattermost", func() ChannelSpec { return &MattermostSpec{} }) }

func (*MattermostSpec) keys() []string {
	return []string{"type", "url", "channel", "token", "token_file", "login_id", "password", "password_file"}
}

func (s *MattermostSpec) read(r *reader, t map[string]any, p path) {
	s.URL, _ = r.str(t, p, "url")
	if _, ok := parseHTTPURL(s.URL); !ok {
		r.ps.add(p.with("url"), "a mattermost channel needs url = \"https://chat.example.org\", the server")
	}
	s.Channel, _ = r.str(t, p, "channel")
	if s.Channel == "" {
		r.ps.add(p, "a mattermost channel needs channel = \"...\": the channel's id (Channel info, in the channel's menu)")
	}
	s.Token = r.secret(t, p, "token")
	s.LoginID, _ = r.str(t, p, "login_id")
	s.Password = r.secret(t, p, "password")
	hasToken := s.Token.IsSet() || present(t, "token", "token_file")
	hasLogin := s.LoginID != "" || present(t, "password", "password_file")
	switch {
	case hasToken && hasLogin:
		r.ps.add(p, "use either token or login_id with password, not both")
	case !hasToken && !hasLogin:
		r.ps.add(p, "a mattermost channel needs token (a bot's or a personal access token), or login_id and password")
	case hasLogin && (s.LoginID == "" || !present(t, "password", "password_file")):
		r.ps.add(p, "login_id and password go together")
	}
}
