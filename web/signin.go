package web

import (
	"errors"
	"net/http"

	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
)

// The whole dashboard, with changes, is for a browser signed in with the
// api_token: pasted into /login, or through a sign-in link that `rekindle
// dashboard-link` makes for someone who can read the config (good once,
// for ten minutes). Nothing else signs a browser in: not a reminder's
// link, not the calendar feed, not a visit from this machine.
func (s *Server) signInRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginPage)
	xo := http.NewCrossOriginProtection()
	mux.Handle("POST /login", xo.Handler(http.HandlerFunc(s.login)))
	mux.Handle("POST /logout", xo.Handler(http.HandlerFunc(s.logout)))
}

type loginData struct {
	HasToken bool
	Problem  string
}

func (s *Server) loginForm(w http.ResponseWriter, status int, problem string) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages().ExecuteTemplate(w, "login.html", loginData{HasToken: s.opts.Config().APIToken.IsSet(), Problem: problem}); err != nil {
		s.opts.Log.Error("render the sign-in page", "err", err)
	}
}

// loginPage is the sign-in form, or, with ?t=, a sign-in link.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	if t == "" {
		s.loginForm(w, http.StatusOK, "")
		return
	}
	now := s.opts.Now()
	nonce, exp, ok := links.VerifyOnce(s.key(), links.SignIn, t, now)
	if !ok || !s.opts.Config().APIToken.IsSet() {
		s.loginForm(w, http.StatusUnauthorized, "This sign-in link is not valid or has expired (one lasts 10 minutes). "+
			"Make another with 'rekindle dashboard-link', or sign in with your api_token.")
		return
	}
	err := s.opts.Journal.UseOnce(r.Context(), journal.Once{Key: "signin/" + nonce, Expires: exp}, now)
	switch {
	case errors.Is(err, journal.ErrUsed):
		s.loginForm(w, http.StatusUnauthorized, "This sign-in link was used already; each works once. "+
			"Make another with 'rekindle dashboard-link', or sign in with your api_token.")
		return
	case err != nil:
		http.Error(w, "record the sign-in: "+err.Error(), http.StatusInternalServerError)
		return
	}
	s.opts.Log.Info("signed in to the dashboard with a sign-in link")
	s.setSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// login checks the api_token pasted into the form, in constant time.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if !s.opts.Config().APIToken.IsSet() {
		s.loginForm(w, http.StatusUnauthorized, "")
		return
	}
	if !s.isToken(r.PostForm.Get("token")) {
		s.opts.Log.Warn("refused a sign-in to the dashboard: not the api_token")
		s.loginForm(w, http.StatusUnauthorized, "That is not the api_token.")
		return
	}
	s.opts.Log.Info("signed in to the dashboard with the api_token")
	s.setSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the browser's signed-in session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
