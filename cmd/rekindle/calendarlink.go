package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/links"
)

var calendarLinkCommand = command{
	name: "calendar-link", summary: "the address to subscribe to in a calendar app (the plan and the occasions)",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.calendarLink() }),
}

var dashboardLinkCommand = command{
	name: "dashboard-link", summary: "a link that signs a browser in to the whole dashboard (once, within 10 minutes)",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.dashboardLink() }),
}

// calendarLink prints the address a calendar app subscribes to: signed for
// a year when public_url is set, else the server's own address, which this
// machine reads without a credential. Either reads the feed and nothing
// else; the feed's events link to pages without a credential.
func (c *cli) calendarLink() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	switch {
	case cfg.PublicURL != "":
		now := c.now()
		fmt.Fprintln(c.stdout, links.Calendar(cfg.PublicURL, []byte(cfg.APIToken.Reveal()), now))
		fmt.Fprintf(c.stderr, "rekindle: this link reads your plan, names and reasons included, until %s; keep it to yourself. "+
			"It opens nothing else. A new api_token ends every link made before.\n", now.Add(links.CalendarTTL).In(cfg.Location).Format("2006-01-02"))
	case cfg.Listen != "":
		fmt.Fprintf(c.stdout, "http://%s/calendar.ics\n", cfg.Listen)
		fmt.Fprintln(c.stderr, "rekindle: this address works for a calendar on this machine; for one elsewhere, set public_url and api_token")
	default:
		return hint.With(errors.New("the calendar feed is served by the daemon's HTTP server, which is off"),
			"set listen = \"127.0.0.1:8785\" in the config (and public_url with api_token for a calendar elsewhere), or use 'rekindle plan --ics' for a file")
	}
	return nil
}

// dashboardLink prints a sign-in link to the whole dashboard, for whoever
// can read the config (and so the api_token): good once, for ten minutes,
// at public_url when it is set, else at the listen address.
func (c *cli) dashboardLink() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	base, err := signedAt(cfg, linkNeeds{
		off: "the dashboard is served by the daemon's HTTP server, which is off", offHint: "set listen = \"127.0.0.1:8785\" and api_token_file in the config",
		noToken: "signing in to the dashboard needs an api_token, and the config has none", noTokenHint: "; until then the dashboard reads, from this machine only",
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, links.SignInLink(base, []byte(cfg.APIToken.Reveal()), c.now()))
	fmt.Fprintln(c.stderr, "rekindle: this link signs a browser in to the whole dashboard, changes included, for a week; "+
		"it works once, within 10 minutes. Keep it to yourself.")
	return nil
}

var callsLinkCommand = command{
	name: "calls-link", summary: "the address and credential a phone's automation (Tasker, Shortcuts) tells of calls and texts with",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.callsLink() }),
}

// callsLink prints what a phone's automation posts its calls and texts
// with: the address (public_url, else the listen address) and a credential
// good for a year that does that and nothing else. The api_token signs it,
// and a new api_token ends it with every other link.
func (c *cli) callsLink() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	base, err := signedAt(cfg, linkNeeds{
		off:     "calls and texts are told to the daemon's HTTP server, which is off",
		offHint: "set listen = \"127.0.0.1:8785\", public_url (how your phone reaches it) and api_token_file in the config",
		noToken: "the phone's credential is signed with the api_token, and the config has none",
	})
	if err != nil {
		return err
	}
	now := c.now()
	hook, cred := links.CallsHook(base, []byte(cfg.APIToken.Reveal()), now)
	fmt.Fprintln(c.stdout, "POST "+hook)
	fmt.Fprintln(c.stdout, "Authorization: Bearer "+cred)
	fmt.Fprintf(c.stderr, "rekindle: with this credential your phone's automation tells of calls and texts until %s; it reads nothing "+
		"and opens nothing else. Keep it to yourself; a new api_token ends it, and every link made before.\n",
		now.Add(links.CallsTTL).In(cfg.Location).Format("2006-01-02"))
	if cfg.PublicURL == "" {
		fmt.Fprintln(c.stderr, "rekindle: this address works from this machine only; for your phone, set public_url to how it reaches rekindle")
	}
	return nil
}

// linkNeeds is what signedAt says when a credential cannot be made: the
// server is off (with the hint to turn it on), or the config has no
// api_token to sign with (and what that leaves, after the hint to make
// one).
type linkNeeds struct{ off, offHint, noToken, noTokenHint string }

// signedAt is the address a credential signed with the api_token is used
// at: public_url when it is set, else the listen address.
func signedAt(cfg *config.Config, n linkNeeds) (string, error) {
	if cfg.Listen == "" {
		return "", hint.With(errors.New(n.off), n.offHint)
	}
	if !cfg.APIToken.IsSet() {
		return "", hint.With(errors.New(n.noToken),
			"(umask 077; openssl rand -hex 24 > api_token) beside the config, then api_token_file = \"api_token\""+n.noTokenHint)
	}
	if cfg.PublicURL != "" {
		return cfg.PublicURL, nil
	}
	return "http://" + cfg.Listen, nil
}
