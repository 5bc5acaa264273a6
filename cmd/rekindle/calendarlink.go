package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/rekindle/rekindle/links"
)

// calendarLink prints the address a calendar app subscribes to: signed for
// a year when public_url is set, else the server's own address, which this
// machine reads without a credential.
func (c *cli) calendarLink(args []string) error {
	fsl := flag.NewFlagSet("calendar-link", flag.ContinueOnError)
	if _, err := parseFlags(fsl, args, 0, 0, ""); err != nil {
		return err
	}
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
