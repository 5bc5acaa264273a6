package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/rekindle/rekindle/calendar"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/scheduler"
)

// calendarDays is how far ahead the feed looks unless ?days= says.
const calendarDays = 60

// calendarRead guards the feed: free from this machine, else the token, a
// signed-in session, or a calendar link (links.Calendar), which reads the
// feed and nothing else.
func (s *Server) calendarRead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local(r) || s.everything(r) || s.verify(links.CalendarFeed, r.URL.Query().Get("t")) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w)
	})
}

// calendarFeed serves the plan of the coming days (?days=N, 1 to 366) as
// an iCalendar file. Its events link to people's pages without a
// credential: the feed reads, and opens nothing.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	days := calendarDays
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			fail(w, http.StatusBadRequest, "days must be a whole number from 1 to 366, not %q", v)
			return
		}
		days = n
	}
	ctx := r.Context()
	cfg := s.opts.Config()
	now := s.opts.Now().In(cfg.Location)
	version, err := s.opts.Journal.Version(ctx)
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	etag, kept, stamps, err := s.feed.get(keptKey{cfg: cfg, version: version, days: days}, now, func() ([]byte, time.Time, string, []int, error) {
		people, hist, err := scheduler.Load(ctx, cfg, s.opts.Journal, now)
		if err != nil {
			return nil, time.Time{}, "", nil, fmt.Errorf("read state: %w", err)
		}
		plan := scheduler.Plan(cfg, people, hist, now, now.AddDate(0, 0, days))
		var b bytes.Buffer
		if err := calendar.Write(&b, plan, calendar.Options{Now: now, Link: calendar.PersonLinks(cfg, s.Addr())}); err != nil {
			return nil, time.Time{}, "", nil, fmt.Errorf("write the calendar: %w", err)
		}
		body, stamps := b.Bytes(), dtstamps(b.Bytes())
		// The feed is made again for each request but for its stamps
		// (DTSTAMP, when the file was made): the ETag is of the rest, and
		// weak, for a feed with the same events and another stamp is the
		// same calendar, not the same bytes.
		blank := bytes.Clone(body)
		for _, at := range stamps {
			copy(blank[at:at+stampLen], "00000000T000000Z")
		}
		return body, scheduler.PlanUntil(cfg, now, days), "W/" + strongETag(blank), stamps, nil
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if notModified(w, r, etag) {
		return
	}
	// The kept feed with this request's stamp, as it would be made now.
	body := bytes.Clone(kept)
	stamp := now.UTC().AppendFormat(nil, "20060102T150405Z")
	for _, at := range stamps {
		copy(body[at:at+stampLen], stamp)
	}
	cacheHeaders(w.Header(), etag)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Write(body)
}

// stampLen is the length of a DTSTAMP value, a UTC date-time.
const stampLen = len("20060102T150405Z")

// dtstamps finds the offsets of the DTSTAMP values in a calendar.
func dtstamps(cal []byte) []int {
	const prop = "\r\nDTSTAMP:"
	var at []int
	for i := 0; ; {
		j := bytes.Index(cal[i:], []byte(prop))
		if j < 0 {
			return at
		}
		i += j + len(prop)
		if i+stampLen <= len(cal) {
			at = append(at, i)
		}
	}
}
