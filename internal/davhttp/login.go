package davhttp

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/icholy/digest"
	"golang.org/x/net/publicsuffix"
)

// ErrRefused is a login the server refused: 401 to the credentials, or a
// way of logging in that rekindle does not know.
var ErrRefused = errors.New("refused the login")

type refusal struct{ user, why string }

func (r *refusal) Error() string {
	s := "refused the login of " + r.user
	if r.why != "" {
		s += ": " + r.why
	}
	return s
}

func (r *refusal) Is(target error) bool { return target == ErrRefused }

// elsewhereError is a server at another origin than the source's that
// asks for a login: it gets none.
type elsewhereError struct{ there, home string }

func (e *elsewhereError) Error() string {
	return e.there + " asks for a login; rekindle gives yours only to " + e.home
}

// sameSite tells whether u is a host of the site of the source's url
// home, both over https: iCloud, reached at contacts.icloud.com, keeps a
// person's address book on p42-contacts.icloud.com and names it there. A
// site (the name under its public suffix: icloud.com, not com) vouches
// for its own hosts; any other site, any plain http, and any address
// written as an IP gets no login.
func sameSite(u, home *url.URL) bool {
	if !strings.EqualFold(u.Scheme, "https") || !strings.EqualFold(home.Scheme, "https") {
		return false
	}
	a, b := strings.ToLower(u.Hostname()), strings.ToLower(home.Hostname())
	if net.ParseIP(a) != nil || net.ParseIP(b) != nil {
		return false
	}
	sa, err := publicsuffix.EffectiveTLDPlusOne(a)
	if err != nil {
		return false
	}
	sb, err := publicsuffix.EffectiveTLDPlusOne(b)
	return err == nil && sa == sb
}

// login logs in to the source's origin as the server asks: the first
// request goes without credentials; a 401 that offers Digest turns to
// Digest (SabreDAV's servers: Baïkal, older Nextcloud), one that offers
// Basic only to Basic. A request to any other origin goes without any,
// unless it is a host of the same site over https (sameSite).
type login struct {
	url            *url.URL // the source's url
	origin         string   // originOf the source's url: where the login goes (and its site, sameSite)
	home           string   // that url's scheme and host as written, for errors
	user, password string
	base           http.RoundTripper

	mu    sync.Mutex
	basic bool              // the server asked for Basic
	chal  *digest.Challenge // else its last Digest challenge
	count int               // requests sent under chal's nonce
}

func (l *login) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != l.origin && !sameSite(req.URL, l.url) {
		resp, err := l.base.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusUnauthorized {
			discard(resp)
			return nil, &elsewhereError{there: req.URL.Scheme + "://" + req.URL.Host, home: l.home}
		}
		return resp, err
	}
	first := req.Clone(req.Context()) // the body is sent once here; again for a second try
	sent, err := l.authorize(first)
	if err != nil {
		return nil, err
	}
	resp, err := l.base.RoundTrip(first)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	discard(resp)
	if sent == "basic" {
		return nil, &refusal{user: l.user} // the same password again would fare no better
	}
	// Asked for the first time, or a Digest nonce the server no longer
	// takes: once more, as the answer asks.
	if why := l.challenged(resp.Header); why != "" {
		return nil, &refusal{user: l.user, why: why}
	}
	second, err := again(req)
	if err != nil {
		return nil, err
	}
	if _, err := l.authorize(second); err != nil {
		return nil, err
	}
	resp, err = l.base.RoundTrip(second)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		discard(resp)
		return nil, &refusal{user: l.user}
	}
	return resp, err
}

// authorize adds the login the server asked for, and says which: "" before
// it has asked.
func (l *login) authorize(req *http.Request) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.chal != nil:
		l.count++
		cred, err := digest.Digest(l.chal, digest.Options{
			Method: req.Method, URI: req.URL.RequestURI(), GetBody: req.GetBody,
			Count: l.count, Username: l.user, Password: l.password,
		})
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", cred.String())
		return "digest", nil
	case l.basic:
		req.SetBasicAuth(l.user, l.password)
		return "basic", nil
	}
	return "", nil
}

// challenged reads a 401's challenges: Digest where it is offered in a
// form rekindle can answer, else Basic. It says why not when neither.
func (l *login) challenged(h http.Header) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if chal, err := digest.FindChallenge(h); err == nil {
		l.chal, l.count, l.basic = chal, 0, false
		return ""
	}
	asked := h.Values("WWW-Authenticate")
	for _, a := range asked {
		if scheme, _, _ := strings.Cut(strings.TrimSpace(a), " "); strings.EqualFold(scheme, "basic") {
			l.chal, l.basic = nil, true
			return ""
		}
	}
	var schemes []string
	for _, a := range asked {
		scheme, _, _ := strings.Cut(strings.TrimSpace(a), " ")
		schemes = append(schemes, scheme)
	}
	return "it asks for a way of logging in that rekindle does not know (" + strings.Join(schemes, ", ") + ")"
}
