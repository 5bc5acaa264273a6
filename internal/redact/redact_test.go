package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/leak"
)

func leaks(text, secret string) bool { return leak.Shows(text, secret) }

func TestEveryFormIsCut(t *testing.T) {
	const pw = `pa<ss>&"wo\rd/é+?=`
	const tok = "ya29.a0AfH6SMBx-tok_en/with+chars"
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	b64 := func(enc *base64.Encoding, s string) string { return enc.EncodeToString([]byte(s)) }
	r := New()
	r.AddLogin("alice@example.org", pw)
	r.AddOAuth("alice@example.org", tok)
	for _, tc := range []struct{ name, text, secret string }{
		{"raw", "login failed for " + pw + " today", pw},
		{"JSON, Go's HTML escapes", `{"password":` + jsonOf(pw) + `}`, pw},
		{"JSON, \\u00e9 and \\/", `{"password":"pa\u003css\u003e\u0026\"wo\\rd\/\u00e9+?="}`, pw},
		{"query escaped", "?p=" + url.QueryEscape(pw) + "&x=1", pw},
		{"path escaped", "/login/" + url.PathEscape(pw) + "/x", pw},
		{"query escaped, lower-case hex", "?p=" + strings.ToLower(url.QueryEscape(pw)), pw},
		{"Go quoted", "got " + strconv.Quote(pw), pw},
		{"IMAP quoted", `a1 LOGIN alice "pa<ss>&\"wo\\rd/é+?="`, pw},
		{"HTML", "<p>pa&lt;ss&gt;&amp;&#34;wo\\rd/é+?=</p>", pw},
		{"base64", "x " + b64(base64.StdEncoding, pw) + " y", pw},
		{"base64 URL, no padding", "x" + b64(base64.RawURLEncoding, pw) + "y", pw},
		{"Basic pair", "Authorization: Basic " + b64(base64.StdEncoding, "alice@example.org:"+pw), pw},
		{"PLAIN", "AUTH PLAIN " + b64(base64.StdEncoding, "\x00alice@example.org\x00"+pw), pw},
		{"token raw", "Bearer " + tok, tok},
		{"XOAUTH2", "a1 AUTHENTICATE XOAUTH2 " + b64(base64.StdEncoding, "user=alice@example.org\x01auth=Bearer "+tok+"\x01\x01"), tok},
		{"XOAUTH2 for another user name", b64(base64.StdEncoding, "user=bob\x01auth=Bearer "+tok+"\x01\x01"), tok},
		{"OAUTHBEARER with host and port", b64(base64.StdEncoding, "n,a=alice,\x01host=imap.example.org\x01port=993\x01auth=Bearer "+tok+"\x01\x01"), tok},
		{"token JSON-escaped", jsonOf(tok), tok},
		{"token path-escaped", url.PathEscape(tok), tok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.String(tc.text)
			if leaks(got, tc.secret) || !strings.Contains(got, Mark) {
				t.Errorf("%q\nbecame %q", tc.text, got)
			}
		})
	}
}

// TestEncodedInsideAtEveryOffset: a password base64'd inside a Basic pair
// is cut whatever the user name's length (before, only a user name that
// put it on a three-byte boundary hid it), for users it was not given with.
func TestEncodedInsideAtEveryOffset(t *testing.T) {
	const pw = "correct-horse-battery"
	r := New(pw)
	for n := 0; n <= 12; n++ {
		user := strings.Repeat("u", n)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding} {
			text := "Basic " + enc.EncodeToString([]byte(user+":"+pw)) + " was refused"
			if !leaks(text, pw) {
				t.Fatalf("the test's leaks misses %q", text)
			}
			if got := r.String(text); leaks(got, pw) || !strings.HasSuffix(got, " was refused") {
				t.Errorf("user of %d bytes: %q became %q", n, text, got)
			}
		}
	}
}

func TestShortSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, secret, text, want string
	}{
		{"under the floor: kept", "abc", "abc was abcd", "abc was abcd"},
		{"short, alone: cut", "pw12", `password "pw12" refused`, `password "[redacted]" refused`},
		{"short, inside a word: kept", "pw12", "upw123 and 2pw12", "upw123 and 2pw12"},
		{"short, base64 alone: cut", "pw12", "PASS cHcxMg== no", "PASS [redacted] no"},
		{"short, in a longer base64 run: kept", "pw12", "xcHcxMgy", "xcHcxMgy"},
		{"long: cut inside words", "longsecret", "xlongsecrety", "x[redacted]y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := New(tc.secret).String(tc.text); got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	// A short password is still cut out of its Basic pair, which is long.
	pair := base64.StdEncoding.EncodeToString([]byte("alice:pw"))
	r := New()
	r.AddLogin("alice", "pw")
	if got := r.String("Basic " + pair); got != "Basic "+Mark {
		t.Errorf("got %q", got)
	}
}

func TestURLSecret(t *testing.T) {
	const hook = "https://hooker:s3cret-hook-pass@hooks.example.org/services/T000/B000/XXXXXXXXXXXXXXXX?sig=abcdefghijklmnop"
	r := New(hook)
	basic := base64.StdEncoding.EncodeToString([]byte("hooker:s3cret-hook-pass"))
	for _, text := range []string{
		"Authorization: Basic " + basic,
		`Post "https://hooker:***@hooks.example.org/services/T000/B000/XXXXXXXXXXXXXXXX?sig=abcdefghijklmnop": refused`,
		"no route for /services/T000/B000/XXXXXXXXXXXXXXXX",
		"bad sig=abcdefghijklmnop",
	} {
		got := r.String(text)
		for _, s := range []string{"s3cret-hook-pass", basic, "XXXXXXXXXXXXXXXX", "abcdefghijklmnop"} {
			if strings.Contains(got, s) {
				t.Errorf("%q\nbecame %q", text, got)
			}
		}
	}
}

// TestFileSecret: a token renewed in its file is cut, the new one and the
// old one; a FIFO in its place is not read (it would hang).
func TestFileSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	os.WriteFile(path, []byte("first-token-abcdefgh\n"), 0o600)
	r := New()
	r.AddFile(path, "alice")
	if got := r.String("sent first-token-abcdefgh"); got != "sent "+Mark {
		t.Errorf("got %q", got)
	}
	later := time.Now().Add(time.Hour)
	os.WriteFile(path, []byte("second-token-0123456789"), 0o600)
	os.Chtimes(path, later, later)
	if got := r.String("sent second-token-0123456789 after first-token-abcdefgh"); got != "sent "+Mark+" after "+Mark {
		t.Errorf("got %q", got)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		r := New()
		r.AddFile(fifo, "alice")
		if got := r.String("text"); got != "text" {
			t.Errorf("got %q", got)
		}
	}
}

func TestErrorKeepsItsChain(t *testing.T) {
	base := &fs.PathError{Op: "open", Path: "/x/secret-value-123", Err: fs.ErrNotExist}
	err := New("secret-value-123").Error(base)
	if strings.Contains(err.Error(), "secret-value-123") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%v", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Error("errors.As lost the PathError")
	}
	plain := errors.New("nothing secret")
	if New("secret-value-123").Error(plain) != plain {
		t.Error("an error without a secret was wrapped")
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	r := New("hunter2-hunter2")
	log := slog.New(Handler(slog.NewTextHandler(&buf, nil), func() *Redactor { return r }))
	log.With("bound", "x hunter2-hunter2").WithGroup("g").Error("login hunter2-hunter2 refused",
		"err", errors.New("echo aHVudGVyMi1odW50ZXIy"), "s", "hunter2-hunter2", slog.Group("inner", "v", "hunter2-hunter2"),
		"list", []string{"a", "hunter2-hunter2"}, "n", 42)
	out := buf.String()
	if leaks(out, "hunter2-hunter2") || strings.Count(out, Mark) != 6 || !strings.Contains(out, "g.n=42") {
		t.Errorf("%s", out)
	}
}

// BenchmarkString: a log line through the Redactor of a config with
// fifteen secrets, three of them logins.
func BenchmarkString(b *testing.B) {
	r := New()
	for i := range 12 {
		r.Add(strings.Repeat(string(rune('a'+i)), 24) + `-"tok"/é`)
	}
	for i := range 3 {
		r.AddLogin("user@example.org", strings.Repeat(string(rune('A'+i)), 16))
	}
	line := `time=2026-12-07T04:04:52.750Z level=INFO msg="delivered" channel=phone rows=25 err="server answered 503 Service Unavailable: try again later"`
	b.ReportAllocs()
	for b.Loop() {
		r.String(line)
	}
}

// TestEscapedTwice: a server that puts the request it got into its own
// JSON error (a login body in a "body" field) escapes the password a
// second time; the same for a quoted form logged with %q. Seen attacking
// the binary with an echoing server: the Mattermost password
// mm-PW-<s3cret>&"q showed as mm-PW-\\u003cs3cret\\u003e\\u0026\\\"q.
func TestEscapedTwice(t *testing.T) {
	const pw = `correct-horse<battery>"staple\bolt`
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	body := `{"login_id":"bot@example.org","password":` + jsonOf(pw) + `}`
	r := New()
	r.AddLogin("bot@example.org", pw)
	for _, tc := range []struct{ name, text string }{
		{"JSON in JSON", `{"error":"bad request","body":` + jsonOf(body) + `}`},
		{"JSON in a Go quote", "server said " + strconv.Quote(body)},
		{"IMAP quoted, then JSON", `{"echo":` + jsonOf(`a1 LOGIN bot "correct-horse<battery>\"staple\\bolt"`) + `}`},
		{"Go quoted twice", strconv.Quote(strconv.Quote(pw))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.String(tc.text)
			if leaks(got, pw) || !strings.Contains(got, Mark) {
				t.Errorf("%s\nbecame %s", tc.text, got)
			}
		})
	}
}
