package mailbox

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/davhttp"
)

// What a calendar server may take and send: a server that stalls or sends
// without end fails the sync instead of holding it or filling memory.
var calendarLimits = struct {
	connect, answer, whole time.Duration
	body                   int64 // bytes of one answer
}{connect: 20 * time.Second, answer: 60 * time.Second, whole: 5 * time.Minute, body: 32 << 20}

// calendarClient is the HTTP client of a calendar source whose url is u
// (nil for an ics address, which has no login): davhttp's, with its
// ca_file and login, and the limits above.
func calendarClient(name string, u *url.URL, caFile, user string, password config.Secret) (*http.Client, error) {
	roots, err := config.Roots(caFile)
	if err != nil {
		return nil, &Error{Source: name, Msg: err.Error(), Err: err}
	}
	client, err := davhttp.New(davhttp.Options{URL: u, Username: user, Password: password.Reveal(), Roots: roots, Limits: davhttp.Limits{
		Connect: calendarLimits.connect, Answer: calendarLimits.answer, Whole: calendarLimits.whole, Body: calendarLimits.body, Hops: 10,
	}})
	if err != nil {
		return nil, &Error{Source: name, Msg: err.Error(), Err: err}
	}
	return client, nil
}

// calendarError says in plain words why reaching a calendar server
// failed, with the fix where it is clear. where names the server as it
// may be said: a CalDAV server's host, never an ics address (which is a
// password). The URL that net/http puts in its errors is left out.
func calendarError(ctx context.Context, name, where string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	if msg, fix, ok := davhttp.Explain(err, where); ok {
		return &Error{Source: name, Msg: msg, Fix: fix, Err: err}
	}
	return &Error{Source: name, Msg: "cannot read the calendar at " + where + ": " + davhttp.Bare(err).Error(), Err: err}
}
