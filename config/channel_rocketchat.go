package config

// RocketChatSpec is a Rocket.Chat channel or direct message, posted to
// through the server's REST API (chat.postMessage) by nikoksr/notify's
// rocketchat service, as a user with a personal access token.
type RocketChatSpec struct {
	URL     string // the server, https://chat.example.org (no path: the library takes a host)
	UserID  string // the user's id, shown beside the personal access token
	Token   Secret // the personal access token
	Channel string // #channel, @username, or a room's id
}

func init() { registerChannel("rocketchat", func() ChannelSpec { return &RocketChatSpec{} }) }

func (*RocketChatSpec) keys() []string {
	return []string{"type", "url", "user_id", "token", "token_file", "channel"}
}

func (s *RocketChatSpec) read(r *reader, t map[string]any, p path) {
	s.URL, _ = r.str(t, p, "url")
	u, ok := parseHTTPURL(s.URL)
	switch {
	case !ok:
		r.ps.add(p.with("url"), "a rocketchat channel needs url = \"https://chat.example.org\", the server")
	case u.Path != "" && u.Path != "/" || u.RawQuery != "":
		r.ps.add(p.with("url"), "%q: give the server alone, without a path (notify's rocketchat service cannot reach a server under a path)", s.URL)
	}
	s.UserID, _ = r.str(t, p, "user_id")
	if s.UserID == "" {
		r.ps.add(p, "a rocketchat channel needs user_id = \"...\": shown with the token when you make it (My Account, Personal Access Tokens)")
	}
	s.Token = r.secret(t, p, "token")
	if !s.Token.IsSet() && !present(t, "token", "token_file") {
		r.ps.add(p, "a rocketchat channel needs token = \"${ROCKETCHAT_TOKEN}\": a personal access token (My Account, Personal Access Tokens)")
	}
	s.Channel, _ = r.str(t, p, "channel")
	if s.Channel == "" {
		r.ps.add(p, "a rocketchat channel needs channel = \"#general\": a channel's name with #, a user's with @, or a room's id")
	}
}
