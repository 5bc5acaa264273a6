package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rekindle/rekindle/config"
)

// The API's list and the calendar feed read everyone's state and evaluate
// everyone: tens of milliseconds for ten thousand people. Both are kept
// once made, with what they were made of: the config (a reload swaps it),
// the state file's Version (any write by anyone changes it), what the
// request asked (the feed's days), and the span of time they hold for
// with nothing logged (scheduler.StatusesUntil, PlanUntil). A request that
// finds all of these the same is answered with what was kept; its ETag
// lets a client that has it already be told 304 Not Modified.

// keptKey is what a kept answer was made of, besides the time.
type keptKey struct {
	cfg     *config.Config
	version int64
	days    int
}

// kept is one kept answer.
type kept struct {
	mu          sync.Mutex
	key         keptKey
	from, until time.Time // it holds for requests at from up to until
	etag        string    // as sent, quoted, W/ when weak
	body        []byte
	stamps      []int // the feed's DTSTAMP values in body, rewritten for each request
}

// get returns the kept answer for key at t, making it with make when none
// holds. make returns the body, until when it holds, the ETag and the
// stamps; it runs under the lock, so that requests coming together after a
// change make it once. What get returns is never written to again.
func (k *kept) get(key keptKey, t time.Time, make func() (body []byte, until time.Time, etag string, stamps []int, err error)) (etag string, body []byte, stamps []int, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.body == nil || k.key != key || t.Before(k.from) || !t.Before(k.until) {
		body, until, etag, stamps, err := make()
		if err != nil {
			return "", nil, nil, err
		}
		k.key, k.from, k.until, k.etag, k.body, k.stamps = key, t, until, etag, body, stamps
	}
	return k.etag, k.body, k.stamps, nil
}

// strongETag is the ETag of a body: a hash of its bytes, so that it
// changes whenever one byte does, from one process to the next alike.
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// cacheHeaders are the headers of an answer that may be kept: by the
// client alone (private: it is the user's people), asked again each time
// (no-cache) with If-None-Match; and it differs by who asks (the access
// depends on the token or the session cookie).
func cacheHeaders(h http.Header, etag string) {
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Authorization, Cookie")
}

// notModified answers 304 when the request's If-None-Match names etag, and
// reports whether it did. The comparison is weak, as RFC 9110 says
// If-None-Match compares: W/"x" and "x" match.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	if !noneMatch(r.Header.Values("If-None-Match"), etag) {
		return false
	}
	cacheHeaders(w.Header(), etag)
	w.WriteHeader(http.StatusNotModified)
	return true
}

// noneMatch reports whether the If-None-Match field values name etag, or
// are "*".
func noneMatch(values []string, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			if v[0] == '*' {
				return true
			}
			v = strings.TrimPrefix(v, "W/")
			if v == "" || v[0] != '"' {
				break // not an entity tag: the rest cannot be read
			}
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				break
			}
			if v[:end+2] == opaque {
				return true
			}
			v = v[end+2:]
		}
	}
	return false
}
