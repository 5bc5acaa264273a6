package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rekindle/rekindle/links"
)

var calendarLinkCommand = command{
	name: "calendar-link", summary: "the address to subscribe to in a calendar app (the plan and the occasions)",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.calendarLink() }),
}

// calendarLink prints the address a calendar app subscribes to: signed for
// a year when public_url is set, else the server's own address, which this
// machine reads without a credential.
func (c *cli) calendarLink() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	switch {
	case cfg.PublicURL != "":
		exp := c.now().Add(links.CalendarTTL)
		fmt.Fprintln(c.stdout, links.Calendar(cfg.PublicURL, []byte(cfg.APIToken.Reveal()), exp))
		fmt.Fprintf(c.stderr, "rekindle: this link reads your plan, names and reasons included, until %s; keep it to yourself. "+
			"A new api_token ends every link made before.\n", exp.In(cfg.Location).Format("2006-01-02"))
	case cfg.Listen != "":
		fmt.Fprintf(c.stdout, "http://%s/calendar.ics\n", cfg.Listen)
		fmt.Fprintln(c.stderr, "rekindle: this address works for a calendar on this machine; for one elsewhere, set public_url and api_token")
	default:
		return &hinted{errors.New("the calendar feed is served by the daemon's HTTP server, which is off"),
			"set listen = \"127.0.0.1:8785\" in the config (and public_url with api_token for a calendar elsewhere), or use 'rekindle plan --ics' for a file"}
	}
	return nil
}
