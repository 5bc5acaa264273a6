// Package web is rekindle's HTTP side: a JSON API that records what
// happened (the CLI's log, snooze, let-be and resume), Prometheus metrics,
// and a small dashboard, so the user can close the loop from a phone
// notification or a browser.
//
// Who may do what:
//   - reads from this machine (loopback, no proxy headers) need nothing:
//     the JSON API, the metrics, the feed and the dashboard's pages, which
//     then show no forms;
//   - the api_token, as a bearer token or as the session of a browser
//     signed in with it (/login, or a sign-in link from `rekindle
//     dashboard-link`), opens everything, changes included;
//   - a link in a reminder opens that person's page, and gives a session
//     for that person alone (their page, their changes) that ends with the
//     link;
//   - a phone button does its one action once; a calendar link reads the
//     feed; the credential of a phone's automation tells of calls and
//     texts (POST /api/calls) and reads nothing.
//
// No link and no feed gives a session over everyone, and a request with
// proxy headers counts as from elsewhere, so a reverse proxy on the same
// machine does not open the door.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
)

// Options are what the server needs.
type Options struct {
	Config  func() *config.Config // the current config; a reload swaps it
	Journal *journal.Journal
	Metrics *Metrics // nil: no /metrics
	Log     *slog.Logger
	Now     func() time.Time
	// Learned, if set, is called after the phone's automation told of a
	// call or text that was learned: a reminder waiting in the outbox may
	// no longer be due (as after a mail source's sync).
	Learned func()
}

// Server is the listening HTTP server.
type Server struct {
	opts   Options
	ln     net.Listener
	srv    *http.Server
	secret []byte // signs sessions and links when no api_token is set

	list kept // GET /api/contacts, as last made
	feed kept // GET /calendar.ics, as last made

	refused    atomic.Int64 // requests refused for their Host
	refusedLog atomic.Int32 // 1 while a refusal was logged in the last minute

	book        atomic.Pointer[phoneBook] // the config's people by number (POST /api/calls)
	callsWarned atomic.Int64              // the day (Unix days) an expiring calls credential was last logged
}

// New listens on addr at once, so a busy port fails at start; Serve serves.
func New(addr string, o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{opts: o, ln: ln, secret: make([]byte, 32)}
	rand.Read(s.secret)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until Shutdown.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops the server, letting requests in flight finish until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// Handler is the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.opts.Metrics != nil {
		mux.Handle("GET /metrics", s.read(s.opts.Metrics.Handler()))
	}
	mux.Handle("GET /api/contacts", s.read(http.HandlerFunc(s.contacts)))
	mux.Handle("GET /api/contacts/{id}", s.read(http.HandlerFunc(s.contact)))
	mux.Handle("GET /calendar.ics", s.calendarRead(http.HandlerFunc(s.calendarFeed)))
	// Browsers may not post across sites (the session cookie is SameSite
	// too); the phone app and curl send no Origin and pass.
	xo := http.NewCrossOriginProtection()
	mux.Handle("POST /api/contacts/{id}/events", xo.Handler(s.change(http.HandlerFunc(s.logEvent))))
	mux.Handle("POST /api/contacts/{id}/snooze", xo.Handler(s.change(http.HandlerFunc(s.snooze))))
	mux.Handle("POST /api/contacts/{id}/let-be", xo.Handler(s.change(http.HandlerFunc(s.decide(journal.LetBe)))))
	mux.Handle("POST /api/contacts/{id}/resume", xo.Handler(s.change(http.HandlerFunc(s.decide(journal.Resume)))))
	// Phone buttons: each carries its own credential, for one person and
	// one action (compose.PersonActions).
	mux.Handle("POST /act/{id}/{action}", xo.Handler(http.HandlerFunc(s.act)))
	// The phone's automation: calls and texts, under a credential of its
	// own (`rekindle calls-link`).
	mux.Handle("POST /api/calls", xo.Handler(http.HandlerFunc(s.calls)))
	s.dashboardRoutes(mux)
	s.signInRoutes(mux)
	return s.hostCheck(mux)
}

// hostCheck refuses requests addressed to a host name that is not rekindle's
// (421 Misdirected Request). This is what stops DNS rebinding: a web page on
// any site can point its own name at 127.0.0.1 and then talk to rekindle as
// if it were the same site, but its requests still carry its own name in
// Host. Accepted are the listen address, "localhost", a loopback address,
// the public_url host and, when listening on every address, any IP address
// (a name is needed to rebind; an address is not one).
func (s *Server) hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.ourHost(r.Host) {
			// One line a minute at most: a hostile page may send many.
			if n := s.refused.Add(1); s.refusedLog.CompareAndSwap(0, 1) {
				s.opts.Log.Warn("refused a request for another host name (DNS rebinding?)", "host", r.Host, "path", r.URL.Path, "refused_so_far", n)
				time.AfterFunc(time.Minute, func() { s.refusedLog.Store(0) })
			}
			writeJSON(w, http.StatusMisdirectedRequest, apiError{Error: "this server does not answer for that host name"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) ourHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true // always loopback (RFC 6761)
	}
	listen, _, _ := net.SplitHostPort(s.Addr())
	ip := net.ParseIP(host)
	if ip != nil {
		lip := net.ParseIP(listen)
		return ip.IsLoopback() || ip.Equal(lip) || (lip != nil && lip.IsUnspecified())
	}
	cfg := s.opts.Config()
	if h, _, err := net.SplitHostPort(cfg.Listen); err == nil && strings.EqualFold(h, host) {
		return true
	}
	if cfg.PublicURL != "" {
		if u, err := url.Parse(cfg.PublicURL); err == nil && strings.EqualFold(u.Hostname(), host) {
			return true
		}
	}
	return false
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// local reports whether a request comes straight from this machine: a
// loopback peer and no proxy headers.
func local(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// key signs sessions and links: the api_token when set, else a secret of
// this process.
func (s *Server) key() []byte {
	if t := s.opts.Config().APIToken; t.IsSet() {
		return []byte(t.Reveal())
	}
	return s.secret
}

// isToken reports, in constant time, whether v is the api_token.
func (s *Server) isToken(v string) bool {
	tok := s.opts.Config().APIToken
	return tok.IsSet() && subtle.ConstantTimeCompare([]byte(v), []byte(tok.Reveal())) == 1
}

// bearer reports whether the request carries the api_token.
func (s *Server) bearer(r *http.Request) bool {
	v, ok := bearerOf(r)
	return ok && s.isToken(v)
}

// bearerOf is the credential of a request's "Authorization: Bearer ..."
// header. The scheme is any case (RFC 9110, section 11.1: an automation
// app may write "bearer"), and spaces around the credential are no part
// of it.
func bearerOf(r *http.Request) (string, bool) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok {
		scheme, cred, ok = strings.Cut(scheme, "\t")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(cred), true
}

// everything reports whether the request may read and change everything:
// it carries the api_token, or the session of a browser signed in with it.
func (s *Server) everything(r *http.Request) bool {
	if s.bearer(r) {
		return true
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && s.verify(links.Everything, c.Value)
}

// forPerson reports whether the request carries the session a reminder's
// link gave for the person with this id.
func (s *Server) forPerson(r *http.Request, id string) bool {
	for _, c := range r.CookiesNamed(personCookie) {
		if s.verify(links.PersonSession(id), c.Value) {
			return true
		}
	}
	return false
}

// read guards what only reads everyone: free from this machine, else the
// token or a signed-in session.
func (s *Server) read(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local(r) || s.everything(r) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w)
	})
}

// change guards what changes one person ({id}): the token, a signed-in
// session, or that person's session from a link (a form on their page,
// which cross-origin protection also guards). This machine gets nothing
// for free here.
func (s *Server) change(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.everything(r) || s.forPerson(r, r.PathValue("id")) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w)
	})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="rekindle"`)
	writeJSON(w, http.StatusUnauthorized, apiError{Error: "a valid api_token is needed: Authorization: Bearer <api_token>"})
}

func (s *Server) verify(scope links.Scope, token string) bool {
	_, ok := scope.Verify(s.key(), token, s.opts.Now())
	return ok
}

// The cookies: one for a browser signed in to everything, and one per
// person whose link was opened, sent only to that person's pages.
const (
	sessionCookie = "rekindle_session"
	personCookie  = "rekindle_person"
)

// setSession signs the browser in to everything for links.SessionTTL.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, sessionCookie, "/", links.Everything, s.opts.Now().Add(links.SessionTTL))
}

// setPersonSession gives the browser the session of one person's page
// until exp, the expiry of the link that opened it.
func (s *Server) setPersonSession(w http.ResponseWriter, r *http.Request, id string, exp time.Time) {
	s.setCookie(w, r, personCookie, personPath(id), links.PersonSession(id), exp)
}

// setCookie gives the browser a session cookie that lasts until exp. Its
// Max-Age says how long from now, which a browser counts on its own clock
// (and prefers to Expires): a phone whose clock is a day off keeps the
// session as long as it is valid here, rather than dropping it at once
// or keeping it past its end. The signed value ends at exp whatever the
// browser does.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, path string, scope links.Scope, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: scope.Sign(s.key(), exp), Path: path,
		Expires: exp, MaxAge: max(1, int(exp.Sub(s.opts.Now()).Seconds())),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r),
	})
}

func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.opts.Config().PublicURL, "https:")
}

// personPath is the path of a person's page, as a browser asks for it.
func personPath(id string) string { return "/people/" + url.PathEscape(id) }
