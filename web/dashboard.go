package web

import (
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
	"github.com/rivo/uniseg"
)

//go:embed assets
var assets embed.FS

// pages are the dashboard's templates, parsed when a page is first asked
// for: a command that serves no page (every one but the daemon with
// listen) does not pay for them at start.
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"day": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Format("Mon 2 Jan")
		},
		"iso":   func(t time.Time) string { return t.Format(time.RFC3339) },
		"words": words,
		// tel is a phone number as a tel: link takes it: + and digits.
		"tel": func(n string) string {
			return strings.Map(func(r rune) rune {
				if r == '+' || (r >= '0' && r <= '9') {
					return r
				}
				return -1
			}, n)
		},
	}).ParseFS(assets, "assets/*.html"))
})

// words is a state or a reminder kind as rules' tables say them:
// "cooling down", not "cooling_down"; "check-in", not "check_in".
func words(v any) string {
	switch v := v.(type) {
	case rules.Kind:
		return v.Words()
	case rules.State:
		return v.Words()
	}
	return rules.State(fmt.Sprint(v)).Words()
}

func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.Handle("GET /{$}", s.page(s.overviewViewer, s.overview))
	mux.Handle("GET /people/{id}", s.personLink(s.page(s.personViewer, s.personPage)))
	// Forms: a session and the same origin (Sec-Fetch-Site / Origin checks).
	forms := http.NewCrossOriginProtection()
	mux.Handle("POST /people/{id}/do", forms.Handler(s.formChange(http.HandlerFunc(s.do))))
}

// viewer is what the one looking at a page may do there.
type viewer struct {
	Everyone bool // see everyone: the overview and every page
	Write    bool // log what happened, snooze, let be, resume
}

// overviewViewer: the overview shows everyone, to a signed-in browser (or
// the token), and, to read only, to this machine.
func (s *Server) overviewViewer(r *http.Request) (viewer, bool) {
	switch {
	case s.everything(r):
		return viewer{Everyone: true, Write: true}, true
	case local(r):
		return viewer{Everyone: true}, true
	}
	return viewer{}, false
}

// personViewer: a person's page opens to what opens the overview, and,
// with its changes, to the session a link to this person gave.
func (s *Server) personViewer(r *http.Request) (viewer, bool) {
	if v, ok := s.overviewViewer(r); ok && v.Write {
		return v, true
	}
	if s.forPerson(r, r.PathValue("id")) {
		return viewer{Everyone: local(r), Write: true}, true
	}
	return s.overviewViewer(r)
}

// personLink turns a reminder's link (?t=...) into that person's session,
// until the link expires, and sends the browser on to the page without the
// credential in its address. The session opens this page and its changes;
// nothing of anyone else.
func (s *Server) personLink(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		t := r.URL.Query().Get("t")
		if t == "" {
			next.ServeHTTP(w, r)
			return
		}
		exp, ok := links.PersonLink(id).Verify(s.key(), t, s.opts.Now())
		if !ok {
			next.ServeHTTP(w, r) // a browser signed in still sees the page
			return
		}
		s.setPersonSession(w, r, id, exp)
		q := r.URL.Query()
		q.Del("t")
		u := url.URL{Path: "/people/" + id, RawPath: personPath(id), RawQuery: q.Encode()}
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
	})
}

// page guards a dashboard page: who says what the request may see and do
// there; without it, the page says how to sign in.
func (s *Server) page(who func(*http.Request) (viewer, bool), next func(http.ResponseWriter, *http.Request, viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		v, ok := who(r)
		if !ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			pages().ExecuteTemplate(w, "denied.html", nil)
			return
		}
		next(w, r, v)
	})
}

// pageHeaders keep a page to itself: its own scripts and styles only, no
// framing, no referrer.
func pageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

// formChange guards a form post on a person's page: a signed-in session,
// or that person's session from a link.
func (s *Server) formChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.everything(r) && !s.forPerson(r, r.PathValue("id")) {
			http.Error(w, "sign in first, at /login (or open the link from your reminder again): your session has expired or was never opened", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type section struct {
	Title, Hint string
	Class       string
	People      []scheduler.Status
}

type mark struct {
	X, Y  int
	Name  string
	Short string // Name cut to fit the label column
	Kind  string
	When  string
	Class string
	Link  string
	// The person's occasion in the four weeks: where, and what in words;
	// "" when none.
	OccasionX int
	Occasion  string
}

type overviewData struct {
	Viewer   viewer
	Now      time.Time
	Sections []section
	Marks    []mark
	Days     []tick
	Width    int
	Height   int
	Total    int
}

type tick struct {
	X     int
	Label string
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, v viewer) {
	st, err := s.statuses(r)
	if err != nil {
		http.Error(w, "read state: "+err.Error(), http.StatusInternalServerError)
		return
	}
	now := s.opts.Now().In(s.opts.Config().Location)
	secs := []section{
		{Title: "Due now", Hint: "reach out; each says why", Class: "due"},
		{Title: "Waiting for a reply", Hint: "give them time", Class: "waiting"},
		{Title: "Cooling down", Hint: "after a falling-out; until the date shown", Class: "cooling"},
		{Title: "Let be", Hint: "no reminders until they reply or you resume", Class: "letbe"},
		{Title: "All good", Hint: "next check-in ahead", Class: "ok"},
		{Title: "Snoozed or paused", Class: "quiet"},
	}
	// Who needs attention first, as status has it; snoozed and paused
	// share the last section.
	ordered := slices.Clone(st)
	scheduler.SortByAttention(ordered)
	for _, p := range ordered {
		i := min(scheduler.Attention(&p), 5)
		secs[i].People = append(secs[i].People, p)
	}
	d := overviewData{Viewer: v, Now: now, Sections: secs, Total: len(st)}
	d.Width, d.Height, d.Days, d.Marks = timeline(st, now)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages().ExecuteTemplate(w, "overview.html", d); err != nil {
		s.opts.Log.Error("render dashboard", "err", err)
	}
}

// timeline lays out the coming four weeks: one row per person with a
// reminder ahead, a mark at its date.
func timeline(st []scheduler.Status, now time.Time) (width, height int, days []tick, marks []mark) {
	// Drawn for a phone first: 400 units wide, which a 390 px screen shows
	// at about its own size; a wider screen scales it up to a limit (CSS).
	const left, right, rowH, span = 104, 384, 22, 28
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	end := start.AddDate(0, 0, span)
	x := func(t time.Time) int {
		if t.Before(start) {
			t = start
		}
		return left + int(float64(right-left)*t.Sub(start).Hours()/end.Sub(start).Hours())
	}
	for d := 0; d < span; d += 7 {
		t := start.AddDate(0, 0, d)
		days = append(days, tick{X: x(t), Label: t.Format("2 Jan")})
	}
	// A row for each person with a reminder or an occasion ahead, in the
	// order of whichever comes first.
	var ahead []scheduler.Status
	soon := func(p *scheduler.Status) time.Time {
		reminder := p.Next
		if reminder.IsZero() || !reminder.Before(end) || p.State == rules.Paused {
			reminder = time.Time{}
		}
		occasion := p.OccasionDay
		if occasion.IsZero() || !occasion.Before(end) || p.State == rules.Paused {
			occasion = time.Time{}
		}
		return rules.Earliest(reminder, occasion)
	}
	for i := range st {
		if !soon(&st[i]).IsZero() {
			ahead = append(ahead, st[i])
		}
	}
	sort.SliceStable(ahead, func(a, b int) bool { return soon(&ahead[a]).Before(soon(&ahead[b])) })
	if len(ahead) > 40 {
		ahead = ahead[:40]
	}
	for i, p := range ahead {
		m := mark{Y: 40 + i*rowH, Name: p.Name, Short: shorten(p.Name, labelColumns), Link: "/people/" + url.PathEscape(p.ID)}
		if !p.Next.IsZero() && p.Next.Before(end) {
			m.X, m.Kind, m.When, m.Class = x(p.Next), rules.Say(p.State, p.Kind, p.Occasion), "now", strings.ReplaceAll(string(p.State), "_", "")
			if p.Next.After(now) {
				m.When = p.Next.Format("Mon 2 Jan")
			}
		}
		if !p.OccasionDay.IsZero() && p.OccasionDay.Before(end) {
			m.OccasionX, m.Occasion = x(p.OccasionDay.Add(12*time.Hour)), p.Occasion+", "+p.OccasionDay.Format("Mon 2 Jan")
			if p.Years > 0 {
				m.Occasion += fmt.Sprintf(" (%d)", p.Years)
			}
		}
		marks = append(marks, m)
	}
	return right + 16, 50 + len(ahead)*rowH, days, marks
}

// labelColumns is how many columns of a name the chart's label column
// (96 units at 12 px) shows; wider names are shortened, and what a font
// draws wider still is clipped at its end (overview.html).
const labelColumns = 12

// shorten cuts a name to n columns (a wide character takes two) for the
// chart's label column, at its end and between whole characters (a letter
// with its accents, an emoji with its joiners), with "…"; the mark's
// tooltip keeps it whole.
func shorten(name string, n int) string {
	if uniseg.StringWidth(name) <= n {
		return name
	}
	var b strings.Builder
	w := 0
	g := uniseg.NewGraphemes(name)
	for g.Next() {
		if w+g.Width() > n-1 {
			break
		}
		b.WriteString(g.Str())
		w += g.Width()
	}
	return strings.TrimRight(b.String(), " -") + "…"
}

type historyLine struct {
	At   time.Time
	What string
	Note string
}

type personData struct {
	Viewer    viewer
	Status    scheduler.Status
	State     string // the state and the reminder due now, in words
	Notes     string
	Interests []string
	Emails    []string
	Phones    []string
	Occasions []string // "birthday: 2 December 1989", "name day: 12 April"
	Next      string   // the next occasion in words
	Group     string
	Every     string
	History   []historyLine
	Done      string
	Unchanged string // why a let-be or resume just asked for was not logged
	// Once is sent back by the page's forms, so that a button of this page
	// acts once (do): a double tap, or the form sent again, writes nothing.
	Once string
}

// pageOnce names one rendering of a person's page.
func pageOnce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request, v viewer) {
	c, ok := s.opts.Config().Lookup(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	st, err := s.statusOf(r, c.ID)
	if err != nil {
		http.Error(w, "read state: "+err.Error(), http.StatusInternalServerError)
		return
	}
	d := personData{Viewer: v, Status: *st, Notes: c.Notes, Interests: c.Interests, Emails: c.Emails, Phones: c.Phones, Group: c.Group, Every: c.Settings.Every.Human(), Done: r.URL.Query().Get("done"), Once: pageOnce()}
	d.State = rules.Say(st.State, st.Kind, st.Occasion)
	if r.URL.Query().Has("again") {
		d.Done, d.Unchanged = "", "Already recorded: this button was pressed before on the same page, and nothing was written again"
	}
	// ?unchanged=KIND names a decision that was not logged; the reason is
	// worked out here, never taken from the address.
	if k := journal.Kind(r.URL.Query().Get("unchanged")); k == journal.LetBe || k == journal.Resume {
		d.Unchanged, _ = scheduler.Redundant(r.Context(), s.opts.Config(), s.opts.Journal, c, k, s.opts.Now().In(s.opts.Config().Location))
	}
	for _, o := range c.Dates.Occasions {
		d.Occasions = append(d.Occasions, o.Name+": "+o.Words())
	}
	if !st.OccasionDay.IsZero() {
		d.Next = st.Occasion + ", " + st.OccasionDay.Format("Mon 2 Jan 2006")
		if st.Years > 0 {
			d.Next += fmt.Sprintf(" (%d)", st.Years)
		}
	}
	loc := s.opts.Config().Location
	entries, _ := s.opts.Journal.Timeline(r.Context(), c.ID, 30)
	for _, en := range entries {
		if e := en.Event; e != nil {
			what := string(e.Kind)
			if e.Kind == journal.Snooze {
				what += " until " + e.Until.In(loc).Format("Mon 2 Jan 15:04")
			}
			d.History = append(d.History, historyLine{At: en.At.In(loc), What: what, Note: e.Note})
			continue
		}
		x := en.Delivery
		what := fmt.Sprintf("reminder (%s) via %s: %s", rules.Kind(x.Kind).Words(), x.Channel, x.State)
		if x.State == journal.Failed || x.State == journal.Cancelled {
			what += ": " + x.LastError
		}
		d.History = append(d.History, historyLine{At: en.At.In(loc), What: what})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages().ExecuteTemplate(w, "person.html", d); err != nil {
		s.opts.Log.Error("render person", "err", err)
	}
}

// do handles the person page's buttons (POST /people/{id}/do).
func (s *Server) do(w http.ResponseWriter, r *http.Request) {
	c, ok := s.opts.Config().Lookup(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	now := s.opts.Now().In(s.opts.Config().Location)
	e := journal.Event{Contact: c.ID, At: now, Source: "dashboard", Note: strings.TrimSpace(r.PostForm.Get("note"))}
	switch a := r.PostForm.Get("action"); a {
	case "talked", "replied", "reached-out", "fallout", "let-be", "resume":
		e.Kind = journal.Kind(a)
	case "snooze":
		d, err := rules.ParseDuration(r.PostForm.Get("for"))
		if err != nil || d.IsZero() {
			http.Error(w, "snooze: give a span such as 3d", http.StatusBadRequest)
			return
		}
		e.Kind, e.Until = journal.Snooze, d.After(now)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	// A second let-be, or a resume with nothing to end, is not logged:
	// the page says why, as the command line and the API do.
	if why, err := scheduler.Redundant(r.Context(), s.opts.Config(), s.opts.Journal, c, e.Kind, now); err != nil {
		http.Error(w, "read state: "+err.Error(), http.StatusInternalServerError)
		return
	} else if why != "" {
		http.Redirect(w, r, "/people/"+url.PathEscape(c.ID)+"?unchanged="+url.QueryEscape(string(e.Kind)), http.StatusSeeOther)
		return
	}
	e.Logged = now
	var err error
	if once := r.PostForm.Get("once"); once != "" && len(once) <= 64 {
		// One event per button of one rendering of the page.
		_, err = s.opts.Journal.AddOnce(r.Context(), e, journal.Once{Key: "page/" + once + "/" + string(e.Kind), Expires: now.Add(links.SessionTTL)})
		if errors.Is(err, journal.ErrUsed) {
			s.opts.Log.Info("a page's button was pressed again; already recorded, nothing written", "contact", c.ID, "kind", e.Kind)
			http.Redirect(w, r, "/people/"+url.PathEscape(c.ID)+"?again=1", http.StatusSeeOther)
			return
		}
	} else {
		_, err = s.opts.Journal.Add(r.Context(), e)
	}
	if err != nil {
		code := http.StatusInternalServerError
		var ie *journal.InvalidError
		if errors.As(err, &ie) {
			code = http.StatusBadRequest
		}
		http.Error(w, "record: "+err.Error(), code)
		return
	}
	s.opts.Log.Info("recorded", "contact", c.ID, "kind", e.Kind, "source", "dashboard")
	http.Redirect(w, r, "/people/"+url.PathEscape(c.ID)+"?done="+url.QueryEscape(string(e.Kind)), http.StatusSeeOther)
}
