// Package redact cuts secrets out of text before it leaves the process: a
// log line, an error printed or stored, a failure notice sent to another
// channel.
//
// A secret travels in more forms than the one written in the config, and a
// server that echoes what it was sent shows it in those: escaped in JSON,
// in a URL's query or path, quoted, in base64 (standard or URL alphabet,
// with or without padding) on its own or inside a longer encoded string
// (an HTTP Basic pair "user:password", SASL PLAIN, XOAUTH2, OAUTHBEARER).
// A Redactor knows all of them.
//
// Short secrets cannot be cut everywhere without blanking out ordinary
// words: a secret shorter than Shortest bytes is not redacted at all, one
// shorter than Anywhere bytes only where it stands alone (not inside a
// longer run of letters and digits, or of base64). The longer wrapped
// forms (a Basic pair and the like) are cut wherever they appear.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rekindle/rekindle/internal/regular"
)

// Mark is what a secret becomes.
const Mark = "[redacted]"

const (
	// Shortest is the shortest secret redacted: a one- to three-byte
	// value ("1", "yes", "abc") is no secret, and cutting it would cut
	// it out of every word and number.
	Shortest = 4
	// Anywhere is the shortest secret redacted wherever it appears,
	// inside other text too; shorter ones only where they stand alone.
	Anywhere = 8
	// maxFile bounds a secret file read at redaction time.
	maxFile = 64 << 10
)

// pattern is one form of a secret.
type pattern struct {
	s string
	// alone: only where neither neighbour continues the word (letters and
	// digits, or base64's alphabet for an encoded form).
	alone bool
	b64   bool // an encoded form: its word is base64's alphabet
	// before and after: the match also takes this many base64 characters
	// on either side, which hold bits of the secret mixed with those of
	// its neighbours (a secret encoded inside a longer string); after
	// also takes the padding.
	before, after int
}

// Redactor cuts a set of secrets out of text. Build it with Add, AddLogin,
// AddOAuth and AddFile, then use it from any goroutine. A nil Redactor
// cuts nothing.
type Redactor struct {
	pats  []pattern
	seen  map[pattern]bool
	files []*fileSecret
}

// New returns a Redactor for secrets, each in every form.
func New(secrets ...string) *Redactor {
	r := &Redactor{seen: map[pattern]bool{}}
	for _, s := range secrets {
		r.Add(s)
	}
	return r
}

// fileSecret is a secret kept in a file that changes while rekindle runs
// (an OAuth2 access token a helper renews): read again when the file has
// changed, at the moment text is redacted.
type fileSecret struct {
	path, user string
	mu         sync.Mutex
	mod        time.Time
	size       int64
	r          *Redactor
}

func (r *Redactor) add(p pattern) {
	if p.s == "" || r.seen[p] {
		return
	}
	r.seen[p] = true
	r.pats = append(r.pats, p)
}

// sort puts the longest forms first, so that a form inside another leaves
// no piece behind. Every method that adds ends with it.
func (r *Redactor) sort() {
	slices.SortStableFunc(r.pats, func(a, b pattern) int { return len(b.s) - len(a.s) })
}

// Add adds a secret in every form it can travel in: as written, escaped
// (JSON, URL query and path, HTML, Go and IMAP quoting) and in base64,
// alone or inside a longer encoded string. A URL also gives its pieces a
// server may echo alone (its path, query and long path segments) and its
// user:password as a Basic pair.
func (r *Redactor) Add(secret string) {
	defer r.sort()
	if len(secret) < Shortest {
		return
	}
	alone := len(secret) < Anywhere
	// Each escaped form also in base64: a server that echoes a command
	// line in base64 shows the password as the command quoted it.
	for _, f := range escapes(secret) {
		r.add(pattern{s: f, alone: alone})
		r.addEncoded([]byte(f), alone)
		// Escaped a second time: a server that puts the request it got
		// into its own JSON error, or a quoted form quoted again.
		for _, g := range quotings(f) {
			r.add(pattern{s: g, alone: alone})
		}
	}
	if u, err := url.Parse(secret); err == nil && u.Scheme != "" && u.Host != "" {
		r.addURL(secret, u)
	}
}

// addEncoded adds the base64 forms of b: whole, and for a long enough b
// also as it shows inside any longer encoded string, at each of the three
// positions it can take in base64's groups of three bytes.
func (r *Redactor) addEncoded(b []byte, alone bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		r.add(pattern{s: enc.EncodeToString(b), alone: alone, b64: true})
		r.add(pattern{s: enc.WithPadding(base64.NoPadding).EncodeToString(b), alone: alone, b64: true})
		if alone {
			continue
		}
		raw := enc.WithPadding(base64.NoPadding)
		for k := range 3 {
			e := raw.EncodeToString(append(make([]byte, k), b...))
			// Characters whose six bits all come from b.
			from, to := (8*k+5)/6, 8*(k+len(b))/6
			p := pattern{s: e[from:to], b64: true}
			if 8*k%6 != 0 {
				p.before = 1
			}
			if 8*(k+len(b))%6 != 0 {
				p.after = 1
			}
			r.add(p)
		}
	}
}

// addURL adds what a URL-shaped secret (a webhook whose path is its
// token) shows in pieces.
func (r *Redactor) addURL(secret string, u *url.URL) {
	r.add(pattern{s: u.String()})
	r.add(pattern{s: strings.ToLower(secret)})
	for _, part := range []string{u.Path, u.EscapedPath(), u.RawQuery, u.User.String()} {
		if len(part) >= minURLPart {
			r.add(pattern{s: part})
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= minURLPart {
			r.add(pattern{s: seg})
		}
	}
	if pw, ok := u.User.Password(); ok {
		// Go's client sends a URL's user:password as a Basic header.
		r.Add(pw)
		r.AddLogin(u.User.Username(), pw)
	}
}

// minURLPart is the shortest piece of a secret URL redacted on its own:
// shorter path segments ("services", "hooks") are not secret and would
// blank out ordinary words.
const minURLPart = 12

// AddLogin adds password, and the strings a login with user and password
// sends in base64: HTTP Basic's "user:password" and SASL PLAIN's
// "\x00user\x00password" (with and without the authorization identity).
// The user name alone is not a secret.
func (r *Redactor) AddLogin(user, password string) {
	defer r.sort()
	if password == "" {
		return
	}
	r.Add(password)
	for _, w := range []string{user + ":" + password, "\x00" + user + "\x00" + password, user + "\x00" + user + "\x00" + password} {
		r.addWrapped(w)
	}
}

// AddOAuth adds an OAuth2 access token, and the strings IMAP's XOAUTH2
// and OAUTHBEARER send it in for user.
func (r *Redactor) AddOAuth(user, token string) {
	defer r.sort()
	if token == "" {
		return
	}
	r.Add(token)
	r.addWrapped("Bearer " + token)
	r.addWrapped("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
	r.addWrapped("n,a=" + user + ",\x01auth=Bearer " + token + "\x01\x01")
}

// addWrapped adds a string that holds a secret, which is cut whole
// wherever it appears, as written and in base64.
func (r *Redactor) addWrapped(w string) {
	r.add(pattern{s: w})
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		r.add(pattern{s: enc.EncodeToString([]byte(w)), b64: true})
	}
}

// AddFile adds the secret in the file at path (an OAuth2 access token for
// user), read again whenever the file has changed: the token a helper
// renews every hour is cut out, whichever one was sent. Only a regular
// file is read, and at most 64 KiB of it.
func (r *Redactor) AddFile(path, user string) {
	if path != "" {
		r.files = append(r.files, &fileSecret{path: path, user: user})
	}
}

// current is the Redactor for the file's content now, or nil.
func (f *fileSecret) current() *Redactor {
	f.mu.Lock()
	defer f.mu.Unlock()
	// A stat tells whether the file changed (the cheap path, at every
	// cut); a changed one is read through regular.Open, so a FIFO put in
	// its place after the stat cannot hang the cut.
	if fi, err := os.Stat(f.path); err != nil || f.r != nil && fi.ModTime().Equal(f.mod) && fi.Size() == f.size {
		return f.r
	}
	file, fi, err := regular.Open(f.path, os.O_RDONLY, 0)
	if err != nil {
		return f.r
	}
	defer file.Close()
	if fi.Size() > maxFile {
		return f.r
	}
	b, err := io.ReadAll(io.LimitReader(file, maxFile+1))
	if err != nil || len(b) > maxFile {
		return f.r
	}
	tok := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	// The token read before stays known: text about an earlier login
	// may still be on its way out.
	next := New()
	if f.r != nil {
		next.pats = slices.Clone(f.r.pats)
		for k := range f.r.seen {
			next.seen[k] = true
		}
	}
	next.AddOAuth(f.user, tok)
	f.r, f.mod, f.size = next, fi.ModTime(), fi.Size()
	return f.r
}

// Merge adds every secret of o to r.
func (r *Redactor) Merge(o *Redactor) {
	defer r.sort()
	if o == nil {
		return
	}
	for _, p := range o.pats {
		r.add(p)
	}
	for _, f := range o.files {
		if !slices.ContainsFunc(r.files, func(g *fileSecret) bool { return g.path == f.path && g.user == f.user }) {
			r.files = append(r.files, f)
		}
	}
}

// String returns s without any of the secrets.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	s = r.cut(s)
	for _, f := range r.files {
		s = f.current().cut(s)
	}
	return s
}

func (r *Redactor) cut(s string) string {
	if r == nil {
		return s
	}
	for _, p := range r.pats {
		s = p.cut(s)
	}
	return s
}

// cut replaces each occurrence of p in s with Mark.
func (p pattern) cut(s string) string {
	i := strings.Index(s, p.s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	last := 0 // s[:last] is written
	for i >= 0 {
		start, end := i, i+len(p.s)
		for n := 0; n < p.before && start > last && isBase64(s[start-1]); n++ {
			start--
		}
		for n := 0; n < p.after && end < len(s) && isBase64(s[end]) && s[end] != '='; n++ {
			end++
		}
		if p.after > 0 || p.b64 {
			for end < len(s) && s[end] == '=' {
				end++
			}
		}
		word := isWord
		if p.b64 {
			word = isBase64
		}
		if p.alone && ((start > 0 && word(s[start-1])) || (end < len(s) && word(s[end]))) {
			next := strings.Index(s[i+1:], p.s)
			if next < 0 {
				break
			}
			i += 1 + next
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Mark)
		last = end
		next := strings.Index(s[end:], p.s)
		if next < 0 {
			break
		}
		i = end + next
	}
	if last == 0 && b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isBase64(c byte) bool {
	return isWord(c) || c == '+' || c == '/' || c == '-' || c == '_' || c == '='
}

// Error returns err with the secrets cut out of its text; errors.Is and
// errors.As still see err. An error without a secret is returned as it is.
func (r *Redactor) Error(err error) error {
	if r == nil || err == nil {
		return err
	}
	text := err.Error()
	if cut := r.String(text); cut != text {
		return &redacted{err: err, text: cut}
	}
	return err
}

// redacted is an error whose text has had its secrets cut out.
type redacted struct {
	err  error
	text string
}

func (e *redacted) Error() string { return e.text }
func (e *redacted) Unwrap() error { return e.err }

// escapes are the forms of s that escaping gives: JSON (Go's, with and
// without its HTML escapes, and the \uXXXX and \/ of other encoders),
// URL query and path escaping (either case of hex digit), HTML, Go's and
// IMAP's quoting.
func escapes(s string) []string {
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s),
		inner(strconv.Quote(s)), inner(strconv.QuoteToASCII(s)), imapQuote(s)}
	for _, f := range forms[1:3] {
		forms = append(forms, lowerHex.ReplaceAllStringFunc(f, strings.ToLower))
	}
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	goJSON, _ := json.Marshal(s)
	for _, j := range []string{string(goJSON), strings.TrimSuffix(plain.String(), "\n")} {
		j = inner(j)
		forms = append(forms, j, jsonASCII(j), strings.ReplaceAll(j, "/", `\/`), strings.ReplaceAll(jsonASCII(j), "/", `\/`))
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// quotings are the forms of s inside a quoted string: JSON (as escapes
// writes it), Go's and IMAP's quoting.
func quotings(s string) []string {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	goJSON, _ := json.Marshal(s)
	forms := []string{inner(strconv.Quote(s)), imapQuote(s)}
	for _, j := range []string{string(goJSON), strings.TrimSuffix(plain.String(), "\n")} {
		j = inner(j)
		forms = append(forms, j, jsonASCII(j))
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

var lowerHex = regexp.MustCompile(`%[0-9A-F]{2}`)

func inner(q string) string { return q[1 : len(q)-1] }

// imapQuote is s as an IMAP quoted string's content.
func imapQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// jsonASCII is JSON text with every character beyond ASCII escaped as
// \uXXXX (surrogate pairs beyond the BMP), as many encoders write it.
func jsonASCII(j string) string {
	var b strings.Builder
	for _, c := range j {
		switch {
		case c < utf8.RuneSelf:
			b.WriteRune(c)
		case c > 0xFFFF:
			c -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(c>>10), 0xDC00+(c&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, c)
		}
	}
	return b.String()
}
