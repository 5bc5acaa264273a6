// Package notifytest holds servers for tests, one per service that
// rekindle reaches through nikoksr/notify's services, each written from
// that service's published API: its endpoint, its authentication, the
// payload it takes, its success answer and its real error documents
// (wrong credentials, an unknown destination, its rate limit with its
// retry field, a server error). Each file's type comment says what it
// speaks. Each server records what it received and can be told to
// refuse the next requests; the seam each channel's test uses to reach
// it is named in that test.
package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// Redirect is an http.Client whose requests, for any host, go to srv:
// the seam for a library whose endpoint is a constant, or which insists
// on https.
func Redirect(srv *httptest.Server) *http.Client {
	u, _ := url.Parse(srv.URL)
	return &http.Client{Transport: rewrite{func(string) *url.URL { return u }, http.DefaultTransport}}
}

// RedirectHosts is an http.Client whose requests for the hosts named go
// to their servers, and any other request where it is addressed: the
// same seam for several such libraries in one process.
func RedirectHosts(to map[string]*httptest.Server) *http.Client {
	urls := map[string]*url.URL{}
	for host, srv := range to {
		urls[host], _ = url.Parse(srv.URL)
	}
	return &http.Client{Transport: rewrite{func(host string) *url.URL { return urls[host] }, http.DefaultTransport}}
}

type rewrite struct {
	to   func(host string) *url.URL
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if to := r.to(req.URL.Hostname()); to != nil {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = to.Scheme, to.Host, to.Host
	}
	return r.next.RoundTrip(req)
}

// reply writes v as a JSON document with status.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// next takes one from a countdown of refusals: whether *n was above 0.
func next(n *int) bool {
	if *n > 0 {
		*n--
		return true
	}
	return false
}
