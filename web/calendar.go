package web

import (
	"bytes"
	"net/http"
	"strconv"

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
	people, hist, err := scheduler.Load(ctx, cfg, s.opts.Journal, now)
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	plan := scheduler.Plan(cfg, people, hist, now, now.AddDate(0, 0, days))
	var b bytes.Buffer
	if err := calendar.Write(&b, plan, calendar.Options{Now: now, Link: calendar.PersonLinks(cfg, s.Addr())}); err != nil {
		fail(w, http.StatusInternalServerError, "write the calendar: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b.Bytes())
}
