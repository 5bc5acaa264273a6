package notifytest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// HookRequest is a request as Hook received it.
type HookRequest struct {
	Method, Path, Query, Type, Auth string
	Body                            []byte
}

// Hook is any HTTP endpoint, what the webhook channel posts to: it
// records each request and answers with the statuses queued for it (a
// 429 with Retry-After as rate-limited APIs send it), then 200. Its error
// body echoes the request line, token and all, as some endpoints do.
type Hook struct {
	*httptest.Server

	mu     sync.Mutex
	got    []HookRequest
	answer []int
}

// NewHook starts an endpoint.
func NewHook() *Hook {
	h := &Hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, HookRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), b})
		status := http.StatusOK
		if len(h.answer) > 0 {
			status, h.answer = h.answer[0], h.answer[1:]
		}
		h.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error": "no", "path": %q}`, r.URL.Path+"?"+r.URL.RawQuery)
	}))
	return h
}

// Got returns the requests received.
func (h *Hook) Got() []HookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// Answer makes the next requests answer these statuses, one each.
func (h *Hook) Answer(statuses ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer = statuses
}
