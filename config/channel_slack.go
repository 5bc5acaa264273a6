package config

// SlackSpec is a Slack channel: an incoming webhook, or a bot token and a
// channel.
type SlackSpec struct {
	WebhookURL Secret
	Token      Secret // a bot token, with Channel
	Channel    string // a channel name (#reminders) or id
}

func init() { registerChannel("slack", func() ChannelSpec { return &SlackSpec{} }) }

func (*SlackSpec) keys() []string {
	return []string{"type", "webhook_url", "webhook_url_file", "token", "token_file", "channel"}
}

func (s *SlackSpec) read(r *reader, t map[string]any, p path) {
	s.WebhookURL = r.secret(t, p, "webhook_url")
	s.Token = r.secret(t, p, "token")
	s.Channel, _ = r.str(t, p, "channel")
	switch {
	case s.WebhookURL.IsSet() && s.Token.IsSet():
		r.ps.add(p, "use either webhook_url or token with channel, not both")
	case s.WebhookURL.IsSet():
		if _, ok := parseHTTPURL(s.WebhookURL.Reveal()); !ok {
			r.ps.add(p.with("webhook_url"), "is not an http(s) URL (its value is a secret and not shown)")
		}
	case s.Token.IsSet():
		if s.Channel == "" {
			r.ps.add(p, "a Slack bot token needs a channel = \"#name\" or a channel id")
		}
	default:
		r.ps.add(p, "a Slack channel needs webhook_url (an incoming webhook) or token and channel")
	}
}
