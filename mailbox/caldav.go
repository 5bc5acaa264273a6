package mailbox

import (
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/rekindle/rekindle/config"
)

// caldavAccount is a caldav source: the calendars of an account, found
// from the server's address (RFC 6764's /.well-known/caldav, the user's
// principal, its calendar home, the calendars in it), each read with a
// calendar-query for the events of the backfill, and skipped while its
// ctag (or sync token) says it has not changed. It only reads: nothing is
// ever written to the server.
type caldavAccount struct {
	src  *config.Source
	spec *config.CalDAVSpec
}

func init() {
	register("caldav", func(src *config.Source) Source { return &caldavAccount{src, src.Spec.(*config.CalDAVSpec)} })
}

func (a *caldavAccount) Config() *config.Source { return a.src }

func (a *caldavAccount) Watch(context.Context, func(), func(error)) error {
	return notWatched("a CalDAV server is read every interval")
}

// host names the server in errors: the URL as written, without a
// user:password that someone may have put in it.
func (a *caldavAccount) host() string {
	u, err := url.Parse(a.spec.URL)
	if err != nil {
		return "the server"
	}
	return u.Scheme + "://" + u.Host
}

// eventProps are the properties asked of each event: when, who, whether
// it recurs or was cancelled; never its title, description or place.
var eventProps = []string{"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "STATUS", "ORGANIZER", "ATTENDEE"}

// calendar is one calendar found.
type calendar struct {
	path, name string
}

// open finds the account's calendars of events (the ones named in
// calendars =, when it is set).
func (a *caldavAccount) open(ctx context.Context) (*http.Client, *caldav.Client, []calendar, error) {
	u, err := url.Parse(a.spec.URL)
	if err != nil {
		return nil, nil, nil, &Error{Source: a.src.Name, Msg: "url cannot be read: " + err.Error()}
	}
	client, err := calendarClient(a.src.Name, u, a.spec.CAFile, a.spec.Username, a.spec.Password)
	if err != nil {
		return nil, nil, nil, err
	}
	fail := func(err error) (*http.Client, *caldav.Client, []calendar, error) {
		client.CloseIdleConnections()
		return nil, nil, nil, calendarError(ctx, a.src.Name, a.host(), err)
	}
	root := &url.URL{Scheme: u.Scheme, Host: u.Host}
	start := u
	if u.Path == "" || u.Path == "/" {
		if found, err := wellKnown(ctx, client, root.JoinPath("/.well-known/caldav")); err != nil {
			return fail(err)
		} else if found != nil {
			start = found
		}
	}
	wc, err := webdav.NewClient(client, start.String())
	if err != nil {
		return fail(err)
	}
	principal, err := wc.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return fail(fmt.Errorf("cannot find your account on the server (%w)", err))
	}
	cc, err := caldav.NewClient(client, root.String())
	if err != nil {
		return fail(err)
	}
	home, err := cc.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return fail(fmt.Errorf("the server names no calendars for your account (%w)", err))
	}
	found, err := cc.FindCalendars(ctx, home)
	if err != nil {
		return fail(fmt.Errorf("cannot list your calendars (%w)", err))
	}
	var all, out []calendar
	for _, c := range found {
		if len(c.SupportedComponentSet) > 0 && !hasFold(c.SupportedComponentSet, "VEVENT") {
			continue // a list of tasks
		}
		cal := calendar{path: c.Path, name: c.Name}
		if cal.name == "" {
			cal.name = path.Base(strings.TrimSuffix(c.Path, "/"))
		}
		all = append(all, cal)
		if len(a.spec.Calendars) == 0 || hasFold(a.spec.Calendars, cal.name) || hasFold(a.spec.Calendars, path.Base(strings.TrimSuffix(c.Path, "/"))) ||
			hasFold(a.spec.Calendars, c.Path) {
			out = append(out, cal)
		}
	}
	// By name, as a person reads them: a server lists them in an order
	// of its own, which may change from one listing to the next.
	byName := func(a, b calendar) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.path, b.path))
	}
	slices.SortFunc(all, byName)
	slices.SortFunc(out, byName)
	if len(out) == 0 {
		client.CloseIdleConnections()
		names := make([]string, len(all))
		for i, c := range all {
			names[i] = fmt.Sprintf("%q", c.name)
		}
		msg, fix := "the account has no calendar of events", "make one, or check url and username"
		if len(all) > 0 {
			msg, fix = "none of calendars = "+fmt.Sprintf("%q", a.spec.Calendars)+" is on the server", "its calendars are "+strings.Join(names, ", ")
		}
		return nil, nil, nil, &Error{Source: a.src.Name, Msg: msg, Fix: fix}
	}
	return client, cc, out, nil
}

func hasFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// wellKnown asks /.well-known/caldav where the server's calendars live
// (RFC 6764): the place it redirects to (which the client follows with
// the same PROPFIND), itself when it answers there, nil when it knows
// none (the URL as written is tried).
func wellKnown(ctx context.Context, client *http.Client, at *url.URL) (*url.URL, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", at.String(), strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	req.Header.Set("Depth", "0")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusMultiStatus {
		return resp.Request.URL, nil
	}
	return nil, nil
}

// version asks a calendar for its ctag (which changes with any change in
// it), else its sync token; "" when it gives neither (then it is read
// every time).
func version(ctx context.Context, client *http.Client, at *url.URL) (string, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>`
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", at.String(), strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	req.Header.Set("Depth", "0")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return "", nil
	}
	var ms struct {
		Props []struct {
			CTag      string `xml:"http://calendarserver.org/ns/ getctag"`
			SyncToken string `xml:"DAV: sync-token"`
		} `xml:"response>propstat>prop"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		return "", nil
	}
	for _, p := range ms.Props {
		if t := strings.TrimSpace(p.CTag); t != "" {
			return "ctag:" + t, nil
		}
		if t := strings.TrimSpace(p.SyncToken); t != "" {
			return "sync:" + t, nil
		}
	}
	return "", nil
}

// Sync reads each calendar that changed, or in which a meeting has ended,
// since the last sync.
func (a *caldavAccount) Sync(ctx context.Context, s *Sync, res *Result) error {
	client, cc, cals, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	root, _ := url.Parse(a.spec.URL)
	from := s.Source.Backfill.Before(s.Now)
	for _, cal := range cals {
		var c calendarCursor
		if err := s.cursor(ctx, cal.path, &c); err != nil {
			return err
		}
		tag, err := version(ctx, client, root.ResolveReference(&url.URL{Path: cal.path}))
		if err != nil {
			return calendarError(ctx, a.src.Name, a.host(), err)
		}
		if !s.DryRun && c.unchanged(tag, s.Now) {
			continue
		}
		objs, err := cc.QueryCalendar(ctx, cal.path, &caldav.CalendarQuery{
			CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, Comps: []caldav.CalendarCompRequest{
				{Name: ical.CompEvent, Props: eventProps},
				{Name: ical.CompTimezone, AllProps: true, AllComps: true},
			}},
			CompFilter: caldav.CompFilter{Name: ical.CompCalendar, Comps: []caldav.CompFilter{
				{Name: ical.CompEvent, Start: from.UTC(), End: s.Now.Add(PlannedAhead).UTC()}, // and the meetings to come
			}},
		})
		if err != nil {
			return calendarError(ctx, a.src.Name, a.host(), fmt.Errorf("read the calendar %q: %w", cal.name, err))
		}
		// The objects as one calendar (each holds its own UID's events and
		// the zones they use): its meetings are judged, and a dry run
		// shows them, in the order they happened.
		all := ical.NewCalendar()
		for _, o := range objs {
			all.Children = append(all.Children, o.Data.Children...)
		}
		events, planned, recheck, err := s.meetings(ctx, all, a.spec.Attendance, res, nil, time.Time{})
		if err != nil {
			return err
		}
		if err := s.plan(ctx, cal.path, planned); err != nil {
			return err
		}
		if err := s.commit(ctx, cal.path, events, calendarCursor{Tag: tag, Recheck: recheck}, res); err != nil {
			return err
		}
	}
	return nil
}

// Check finds the calendars, reading no event.
func (a *caldavAccount) Check(ctx context.Context) ([]string, error) {
	client, _, cals, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	client.CloseIdleConnections()
	out := make([]string, len(cals))
	for i, c := range cals {
		out[i] = c.name
	}
	return out, nil
}
