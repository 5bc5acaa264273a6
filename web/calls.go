package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/phone"
)

// The webhook of a phone's automation (Tasker, MacroDroid, Shortcuts):
// POST /api/calls tells of one call or text, and it is learned as the
// phone backups' records are (phone.Book.Learn, journal.AddLearned).

// CallsSource is the Source of what the phone's automation tells: learned,
// not logged by hand (journal.IsLearned), so a manual log of the same
// person and kind within 12 hours wins over it, as over mail.
var CallsSource = phone.Source("api")

const (
	// maxCallBody bounds a call's body: one record is about 150 bytes.
	maxCallBody = 4 << 10
	// callsBackfill is how far back a call or text is learned: as far
	// back as a source's first sync reads.
	callsBackfill = config.DefaultBackfillDays * 24 * time.Hour
	// callsExpiring is how long before its expiry a calls credential
	// says, in its answers and the log, that a new one is needed.
	callsExpiring = 30 * 24 * time.Hour
)

// callFields are the fields of a call's body.
var callFields = []string{"number", "kind", "direction", "duration", "at"}

// calls learns one call or text from the phone (POST /api/calls). It takes
// the credential of `rekindle calls-link` and nothing else: not the
// api_token, which then never has to be typed into a phone, and not a
// session or another link. It answers 201 with what was learned, 200 with
// why nothing was (a missed call, a number of nobody, one learned before),
// 400 naming the field at fault, 422 for a time in the future.
func (s *Server) calls(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Now()
	cred, ok := bearerOf(r)
	if !ok { // a bare credential, as before: the credential is the secret, not its scheme
		cred = strings.TrimSpace(r.Header.Get("Authorization"))
	}
	exp, ok := links.Calls.Verify(s.key(), cred, now)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rekindle"`)
		if s.isToken(cred) {
			fail(w, http.StatusUnauthorized, "this address takes the credential that 'rekindle calls-link' prints, not the api_token: the api_token never has to leave your computer")
			return
		}
		fail(w, http.StatusUnauthorized, "a valid calls credential is needed: Authorization: Bearer <the credential 'rekindle calls-link' prints>; "+
			"this one is not one, or it has expired, or the api_token changed since it was made")
		return
	}
	fields, status, err := callBody(w, r)
	if err != nil {
		if !errors.Is(err, errAnswered) {
			fail(w, status, "%v", err)
		}
		return
	}
	rec, err := callRecord(fields, now)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	answer := map[string]any{}
	if exp.Sub(now) < callsExpiring {
		warn := "this credential stops working on " + exp.In(s.opts.Config().Location).Format("2006-01-02") + "; make a new one with 'rekindle calls-link'"
		answer["warning"] = warn
		if day := now.Unix() / 86400; s.callsWarned.Swap(day) != day { // once a day at most
			s.opts.Log.Warn("the phone's calls credential is about to expire; make a new one with 'rekindle calls-link'", "expires", exp)
		}
	}
	switch {
	case rec.At.After(now.Add(journal.MaxAhead)):
		fail(w, http.StatusUnprocessableEntity, "at: %s is in the future; tell of calls and texts once they happened (is the phone's clock right?)", rec.At.Format(time.RFC3339))
		return
	case rec.At.Before(now.Add(-callsBackfill)):
		answer["ignored"] = fmt.Sprintf("older than %d days: rekindle learns no further back", config.DefaultBackfillDays)
		writeJSON(w, http.StatusOK, answer)
		return
	}
	cfg := s.opts.Config()
	learned := s.phones(cfg).Learn(rec, CallsSource)
	if learned.Ignored != "" {
		s.opts.Log.Info("the phone told of a call or text that counts for nothing", "kind", rec.Kind, "direction", rec.Way, "why", learned.Ignored)
		answer["ignored"] = learned.Ignored
		writeJSON(w, http.StatusOK, answer)
		return
	}
	e := learned.Event
	answer["contact"], answer["kind"] = e.Contact, e.Kind
	added, err := s.opts.Journal.AddLearned(r.Context(), []journal.Event{e}, now)
	if err != nil {
		fail(w, http.StatusInternalServerError, "record: %v", err)
		return
	}
	if len(added) == 0 {
		why := "already known: this call or text was learned before"
		if byHand, err := s.opts.Journal.LoggedByHand(r.Context(), e.Contact, e.Kind, e.At.Add(-journal.ManualWindow), e.At.Add(journal.ManualWindow+time.Millisecond)); err == nil && byHand {
			why = "already known: you logged it by hand within 12 hours of it"
		}
		answer["unchanged"] = why
		writeJSON(w, http.StatusOK, answer)
		return
	}
	s.opts.Log.Info("learned from the phone", "contact", e.Contact, "kind", e.Kind)
	if s.opts.Learned != nil {
		s.opts.Learned()
	}
	answer["event_id"] = added[0].ID
	writeJSON(w, http.StatusCreated, answer)
}

// phones is the config's people by number, made again when the config is.
func (s *Server) phones(cfg *config.Config) *phone.Book {
	if b := s.book.Load(); b != nil && b.cfg == cfg {
		return b.book
	}
	b := &phoneBook{cfg: cfg, book: phone.NewBook(cfg)}
	s.book.Store(b)
	return b.book
}

// phoneBook is a config's phone.Book, kept until a reload.
type phoneBook struct {
	cfg  *config.Config
	book *phone.Book
}

// callBody reads a call's fields: a JSON object whose values are strings
// or numbers (what an automation app's variables give either way). Unknown
// fields are refused, so a misspelt one is not quietly
// left out.
func callBody(w http.ResponseWriter, r *http.Request) (map[string]string, int, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCallBody)
	// Shortcuts and Tasker may label JSON as plain text. A form is not
	// taken: its "+" is a space, and "+44 7700 900123" would arrive as a
	// number without its country.
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media != "" && media != "application/json" && media != "text/plain" {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("send JSON (Content-Type: application/json), not %s", media)
	}
	var raw map[string]json.RawMessage
	if !decodeMax(w, r, &raw, maxCallBody) {
		return nil, 0, errAnswered
	}
	fields := map[string]string{}
	for k, v := range raw {
		var str string
		switch {
		case bytes.Equal(v, []byte("null")):
			continue
		case json.Unmarshal(v, &str) == nil:
			fields[k] = str
		case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
			fields[k] = string(v)
		default:
			return nil, http.StatusBadRequest, fmt.Errorf("%s: give a string or a number, not %s", k, v)
		}
	}
	for k := range fields {
		if !slices.Contains(callFields, k) {
			return nil, http.StatusBadRequest, fmt.Errorf("%s: unknown field; the fields are %s", k, strings.Join(callFields, ", "))
		}
	}
	return fields, 0, nil
}

// errAnswered is callBody's error when decode has answered already.
var errAnswered = errors.New("answered")

// The words a call's kind and direction may be given in.
var (
	callKinds = map[string]phone.Kind{"call": phone.Call, "text": phone.Text, "sms": phone.Text, "mms": phone.Text}
	callWays  = map[string]phone.Way{
		"incoming": phone.Incoming, "received": phone.Incoming,
		"outgoing": phone.Outgoing, "sent": phone.Outgoing,
		"missed": phone.Missed, "rejected": phone.Missed, "blocked": phone.Missed,
	}
)

// callRecord makes a phone.Record of a call's fields; the error names the
// field at fault.
func callRecord(f map[string]string, now time.Time) (phone.Record, error) {
	rec := phone.Record{Number: strings.TrimSpace(f["number"]), At: now}
	for _, k := range callFields {
		if v := strings.TrimSpace(f[k]); unsetVariable(v) {
			return rec, fmt.Errorf("%s: %q is an automation app's variable that had no value when the request was sent (Tasker sends an unset %%VAR as it is written); "+
				"check where the task sets it, or leave the field out", k, v)
		}
	}
	if rec.Number == "" {
		return rec, errors.New("number: missing; give the other party's number, such as \"+44 7700 900123\"")
	}
	var ok bool
	if rec.Kind, ok = callKinds[strings.ToLower(strings.TrimSpace(f["kind"]))]; !ok {
		return rec, fmt.Errorf("kind: %q; give \"call\" or \"text\"", f["kind"])
	}
	if rec.Way, ok = callWays[strings.ToLower(strings.TrimSpace(f["direction"]))]; !ok {
		return rec, fmt.Errorf("direction: %q; give \"incoming\", \"outgoing\" or \"missed\"", f["direction"])
	}
	if d, given := f["duration"]; given {
		secs, err := strconv.ParseFloat(strings.TrimSpace(d), 64)
		if err != nil || !(secs >= 0 && secs <= 7*24*3600) { // NaN too
			return rec, fmt.Errorf("duration: %q is not a number of seconds (such as 120)", d)
		}
		rec.Duration = time.Duration(secs * float64(time.Second))
	} else if rec.Kind == phone.Call && rec.Way != phone.Missed {
		return rec, errors.New("duration: missing; how long the call lasted, in seconds, tells an answered call (talked) from one nobody answered (0)")
	}
	if at, given := f["at"]; given {
		t, err := callTime(strings.TrimSpace(at))
		if err != nil {
			return rec, fmt.Errorf("at: %q is not a time: give RFC 3339 (2026-12-07T10:00:00Z) or Unix time in milliseconds (1796637600000)", at)
		}
		if err := journal.CheckTime(t); err != nil {
			return rec, fmt.Errorf("at: %v", err)
		}
		rec.At = t
	}
	return rec, nil
}

// unsetVariable tells whether v is a Tasker variable's name (%CNUM,
// %RkLen), which Tasker sends as it is when the variable has no value: a
// number of nobody, else, and never the call's.
func unsetVariable(v string) bool {
	name, ok := strings.CutPrefix(v, "%")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// callTime reads a time as RFC 3339, or as Unix time: milliseconds (what
// Android's call log and Tasker's %TIMEMS give), or seconds (%TIMES) for a
// number too small to be milliseconds since 1973.
func callTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 1e11 {
			return time.Unix(n, 0), nil
		}
		return time.UnixMilli(n), nil
	}
	return time.Parse(time.RFC3339, v)
}
