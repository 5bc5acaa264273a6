package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, apiError{Error: fmt.Sprintf(format, args...)})
}

// statuses is everyone's status now.
func (s *Server) statuses(r *http.Request) ([]scheduler.Status, error) {
	return scheduler.Snapshot(r.Context(), s.opts.Config(), s.opts.Journal, s.opts.Now())
}

// contacts serves everyone's status (GET /api/contacts), kept until the
// config, the state file or the time changes it (kept.go).
func (s *Server) contacts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := s.opts.Config()
	now := s.opts.Now()
	// The version is read before the state: what is kept is then at least
	// as new as the version it is kept with.
	version, err := s.opts.Journal.Version(ctx)
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	etag, body, _, err := s.list.get(keptKey{cfg: cfg, version: version}, now, func() ([]byte, time.Time, string, []int, error) {
		st, until, err := scheduler.SnapshotUntil(ctx, cfg, s.opts.Journal, now)
		if err != nil {
			return nil, time.Time{}, "", nil, err
		}
		body := statusList(st)
		return body, until, strongETag(body), nil, nil
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	if notModified(w, r, etag) {
		return
	}
	cacheHeaders(w.Header(), etag)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// person finds the contact named by the path, or answers 404.
func (s *Server) person(w http.ResponseWriter, r *http.Request) (*config.Contact, bool) {
	id := r.PathValue("id")
	c, ok := s.opts.Config().Lookup(id)
	if !ok {
		fail(w, http.StatusNotFound, "no contact with id %q", id)
	}
	return c, ok
}

func (s *Server) statusOf(r *http.Request, id string) (*scheduler.Status, error) {
	cfg := s.opts.Config()
	c, ok := cfg.Lookup(id)
	if !ok {
		return nil, errors.New("contact vanished")
	}
	st, err := scheduler.StatusOf(r.Context(), cfg, s.opts.Journal, c, s.opts.Now())
	return &st, err
}

func (s *Server) contact(w http.ResponseWriter, r *http.Request) {
	c, ok := s.person(w, r)
	if !ok {
		return
	}
	st, err := s.statusOf(r, c.ID)
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	// One person's status is quick to make; only the sending is saved
	// when the client has it already.
	body := append(appendIndented(nil, st.AppendJSON(nil, ""), 0), '\n')
	etag := strongETag(body)
	if notModified(w, r, etag) {
		return
	}
	cacheHeaders(w.Header(), etag)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// decode reads a JSON body strictly: at most 64 KiB, no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeMax(w, r, v, maxBody)
}

// decodeMax is decode for a body of at most limit bytes.
func decodeMax(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			fail(w, http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", limit)
		case errors.Is(err, io.EOF):
			fail(w, http.StatusBadRequest, "the body is empty; send a JSON object")
		default:
			fail(w, http.StatusBadRequest, "invalid JSON: %v", err)
		}
		return false
	}
	if dec.More() {
		fail(w, http.StatusBadRequest, "invalid JSON: more than one value")
		return false
	}
	return true
}

// record writes an event and answers with the person's new status.
func (s *Server) record(w http.ResponseWriter, r *http.Request, c *config.Contact, e journal.Event) {
	s.recordOnce(w, r, c, e, nil)
}

// recordOnce is record for a credential good once (a phone button): the
// credential is marked used with the event, and a second use writes
// nothing and answers 200 with the status as it is.
func (s *Server) recordOnce(w http.ResponseWriter, r *http.Request, c *config.Contact, e journal.Event, once *journal.Once) {
	e.Contact, e.Logged = c.ID, s.opts.Now()
	if e.Source == "" {
		e.Source = "api"
	}
	var id int64
	var err error
	if once != nil {
		id, err = s.opts.Journal.AddOnce(r.Context(), e, *once)
	} else {
		id, err = s.opts.Journal.Add(r.Context(), e)
	}
	var ie *journal.InvalidError
	switch {
	case errors.Is(err, journal.ErrUsed):
		s.opts.Log.Info("a button was tapped again; already recorded, nothing written", "contact", c.ID, "kind", e.Kind)
		st, err := s.statusOf(r, c.ID)
		if err != nil {
			fail(w, http.StatusInternalServerError, "read state: %v", err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"unchanged": "already recorded: this button was tapped before, and a notification's button acts once", "contact": st})
		return
	case errors.As(err, &ie) && ie.Future:
		fail(w, http.StatusUnprocessableEntity, "%v", ie)
		return
	case errors.As(err, &ie):
		fail(w, http.StatusBadRequest, "%v", ie)
		return
	case err != nil:
		fail(w, http.StatusInternalServerError, "record: %v", err)
		return
	}
	st, err := s.statusOf(r, c.ID)
	if err != nil {
		fail(w, http.StatusInternalServerError, "read state: %v", err)
		return
	}
	s.opts.Log.Info("recorded", "contact", c.ID, "kind", e.Kind, "source", e.Source)
	writeJSON(w, http.StatusCreated, map[string]any{"event_id": id, "contact": st})
}

type eventRequest struct {
	Kind string `json:"kind"`
	At   string `json:"at,omitempty"`
	Note string `json:"note,omitempty"`
}

func (s *Server) logEvent(w http.ResponseWriter, r *http.Request) {
	c, ok := s.person(w, r)
	if !ok {
		return
	}
	var req eventRequest
	if !decode(w, r, &req) {
		return
	}
	kind := journal.Kind(req.Kind)
	if !kind.Logged() {
		fail(w, http.StatusBadRequest, "unknown kind %q; use talked, replied, reached-out or fallout", req.Kind)
		return
	}
	now := s.opts.Now()
	at := now
	if req.At != "" {
		t, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			fail(w, http.StatusBadRequest, "at: %q is not an RFC 3339 time such as 2026-11-30T18:00:00+01:00", req.At)
			return
		}
		at = t
	}
	s.record(w, r, c, journal.Event{Kind: kind, At: at, Note: req.Note})
}

type snoozeRequest struct {
	Duration string `json:"duration"`
}

func (s *Server) snooze(w http.ResponseWriter, r *http.Request) {
	c, ok := s.person(w, r)
	if !ok {
		return
	}
	var req snoozeRequest
	if !decode(w, r, &req) {
		return
	}
	d, err := rules.ParseDuration(req.Duration)
	if err != nil || d.IsZero() {
		fail(w, http.StatusBadRequest, "duration: give a span such as \"3d\" or \"2w\" (%v)", err)
		return
	}
	now := s.opts.Now().In(s.opts.Config().Location)
	s.record(w, r, c, journal.Event{Kind: journal.Snooze, At: now, Until: d.After(now)})
}

func (s *Server) decide(kind journal.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.person(w, r)
		if !ok {
			return
		}
		// An empty body or an empty object: nothing to read.
		if r.ContentLength != 0 {
			var none struct{}
			if !decode(w, r, &none) {
				return
			}
		}
		now := s.opts.Now().In(s.opts.Config().Location)
		if why, err := scheduler.Redundant(r.Context(), s.opts.Config(), s.opts.Journal, c, kind, now); err != nil {
			fail(w, http.StatusInternalServerError, "read state: %v", err)
			return
		} else if why != "" {
			st, err := s.statusOf(r, c.ID)
			if err != nil {
				fail(w, http.StatusInternalServerError, "read state: %v", err)
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"unchanged": why, "contact": st})
			return
		}
		s.record(w, r, c, journal.Event{Kind: kind, At: now})
	}
}

// act records what a phone button stands for (POST /act/{id}/{action}).
// Its credential is the only one it takes: signed for this person, this
// action and this notification, unexpired, and not used before.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	c, ok := s.person(w, r)
	if !ok {
		return
	}
	action := r.PathValue("action")
	cred, found := bearerOf(r)
	scope := func(nonce string) links.Scope { return links.Button(c.ID, action, nonce) }
	var nonce string
	var exp time.Time
	if found {
		nonce, exp, found = links.VerifyOnce(s.key(), scope, cred, s.opts.Now())
	}
	if !found {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rekindle"`)
		fail(w, http.StatusUnauthorized, "this button's credential is not valid for %s %s, or it has expired", action, c.ID)
		return
	}
	now := s.opts.Now().In(s.opts.Config().Location)
	e := journal.Event{At: now, Source: "phone"}
	switch action {
	case "reached-out", "talked":
		e.Kind = journal.Kind(action)
	case "snooze-3d":
		e.Kind, e.Until = journal.Snooze, now.AddDate(0, 0, 3)
	default:
		fail(w, http.StatusNotFound, "no button %q", action)
		return
	}
	s.recordOnce(w, r, c, e, &journal.Once{Key: "button/" + nonce + "/" + action, Expires: exp})
}
