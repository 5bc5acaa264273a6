package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/emersion/go-ical"
	"github.com/rekindle/rekindle/config"
)

// icsFeed is an ics source: one calendar at a private address, read
// whole with If-None-Match, so that an unchanged calendar costs the server
// a 304 and rekindle nothing. The address is a password: it is never
// logged nor put in an error, which name its host only.
type icsFeed struct {
	src  *config.Source
	spec *config.ICSSpec
}

func init() {
	register("ics", func(src *config.Source) Source { return &icsFeed{src, src.Spec.(*config.ICSSpec)} })
}

// icsFolder is the cursor's folder: the feed is one.
const icsFolder = "calendar"

func (f *icsFeed) Config() *config.Source { return f.src }

func (f *icsFeed) Watch(context.Context, func(), func(error)) error {
	return notWatched("a calendar address is read every interval")
}

// host is how errors name the feed: its host, which is no secret (the
// path and the query are).
func (f *icsFeed) host() string {
	u, err := url.Parse(f.spec.URL.Reveal())
	if err != nil || u.Host == "" {
		return "the calendar's address"
	}
	return "the calendar at " + u.Host
}

// fetch reads the calendar unless its ETag is still etag (then
// notModified); etag "" reads it whatever it is.
func (f *icsFeed) fetch(ctx context.Context, etag string) (cal *ical.Calendar, tag string, notModified bool, err error) {
	client, err := calendarClient(f.src.Name, nil, "", "", config.Secret{})
	if err != nil {
		return nil, "", false, err
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.spec.URL.Reveal(), nil)
	if err != nil {
		return nil, "", false, &Error{Source: f.src.Name, Msg: "the calendar's address cannot be read as a URL"}
	}
	req.Header.Set("Accept", "text/calendar")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", false, calendarError(ctx, f.src.Name, f.host(), err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, etag, true, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone || resp.StatusCode == http.StatusForbidden ||
		resp.StatusCode == http.StatusUnauthorized:
		return nil, "", false, &Error{Source: f.src.Name, Msg: fmt.Sprintf("%s answered %s", f.host(), resp.Status),
			Fix: "the private address may have been reset; copy it again from your calendar's sharing settings"}
	case resp.StatusCode != http.StatusOK:
		return nil, "", false, &Error{Source: f.src.Name, Msg: fmt.Sprintf("%s answered %s", f.host(), resp.Status),
			Fix: "rekindle tries again later"}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", false, calendarError(ctx, f.src.Name, f.host(), err)
	}
	cal, err = ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		return nil, "", false, &Error{Source: f.src.Name, Msg: f.host() + " sent something that is not a calendar (" + err.Error() + ")",
			Fix: "url must be the calendar's private address in iCal format (.ics), not its web page"}
	}
	return cal, resp.Header.Get("ETag"), false, nil
}

// Sync reads the calendar unless the server says it has not changed and
// no meeting has ended since the last read.
func (f *icsFeed) Sync(ctx context.Context, s *Sync, res *Result) error {
	var c calendarCursor
	if err := s.cursor(ctx, icsFolder, &c); err != nil {
		return err
	}
	etag := c.Tag
	if s.DryRun || !c.unchanged(c.Tag, s.Now) {
		etag = "" // read it whole: a dry run shows every meeting, and one may have ended
	}
	cal, tag, notModified, err := f.fetch(ctx, etag)
	if err != nil {
		return err
	}
	if notModified {
		return nil // the state is as the last read left it
	}
	events, planned, recheck, err := s.meetings(ctx, cal, f.spec.Attendance, res, nil, time.Time{})
	if err != nil {
		return err
	}
	if err := s.plan(ctx, icsFolder, planned); err != nil {
		return err
	}
	return s.commit(ctx, icsFolder, events, calendarCursor{Tag: tag, Recheck: recheck}, res)
}

// Check reads the calendar once, learning nothing.
func (f *icsFeed) Check(ctx context.Context) ([]string, error) {
	cal, _, _, err := f.fetch(ctx, "")
	if err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("%s (%d events)", f.host(), len(cal.Events()))}, nil
}
