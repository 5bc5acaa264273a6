package config

import "net/url"

// MSTeamsSpec is a Microsoft Teams channel: a Workflows (Power Automate)
// webhook that posts to it, through atc0005/go-teams-notify.
type MSTeamsSpec struct {
	WebhookURL Secret // https://....logic.azure.com/workflows/...; it carries its signature
}

func init() { registerChannel("msteams", func() ChannelSpec { return &MSTeamsSpec{} }) }

func (*MSTeamsSpec) keys() []string { return []string{"type", "webhook_url", "webhook_url_file"} }

func (s *MSTeamsSpec) read(r *reader, t map[string]any, p path) {
	s.WebhookURL = r.secret(t, p, "webhook_url")
	switch {
	case !s.WebhookURL.IsSet() && !present(t, "webhook_url", "webhook_url_file"):
		r.ps.add(p, "an msteams channel needs webhook_url: the URL of a Workflows webhook that posts to the channel")
	case s.WebhookURL.IsSet():
		if u, err := url.Parse(s.WebhookURL.Reveal()); err != nil || u.Scheme != "https" || u.Host == "" {
			r.ps.add(p.with("webhook_url"), "is not an https URL (its value is a secret and not shown)")
		}
	}
}
