package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// telegramServer speaks the Bot API as the bot library uses it:
// POST /bot<token>/getMe and /bot<token>/sendMessage with form values, and
// its answers {"ok": true, "result": ...} or {"ok": false, "error_code",
// "description", "parameters": {"retry_after"}}: 401 Unauthorized for a
// wrong token, 400 for an unknown chat or HTML it cannot parse, 403 when
// the user blocked the bot, 429 with retry_after.
type telegramServer struct {
	*httptest.Server
	token    string
	chat     string
	mu       sync.Mutex
	sent     []url.Values
	limited  int // answer 429 this many times
	blocked  bool
	requests []string
}

// telegramTags are the HTML tags the Bot API reads (parse_mode HTML).
var telegramTags = regexp.MustCompile(`</?([a-z-]+)[^>]*>`)

func newTelegramServer(t *testing.T) *telegramServer {
	s := &telegramServer{token: "123456:ABC-bot-token", chat: "4242"}
	answer := func(w http.ResponseWriter, status int, doc map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(doc)
	}
	fail := func(w http.ResponseWriter, status int, desc string, params map[string]any) {
		doc := map[string]any{"ok": false, "error_code": status, "description": desc}
		if params != nil {
			doc["parameters"] = params
		}
		answer(w, status, doc)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, r.URL.Path)
		tok, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
		if !ok || r.Method != http.MethodPost {
			fail(w, 404, "Not Found", nil)
			return
		}
		if tok != s.token {
			fail(w, 401, "Unauthorized", nil)
			return
		}
		r.ParseForm()
		switch method {
		case "getMe":
			answer(w, 200, map[string]any{"ok": true, "result": map[string]any{"id": 123456, "is_bot": true, "first_name": "rekindle", "username": "rekindle_bot"}})
		case "sendMessage":
			if s.limited > 0 {
				s.limited--
				fail(w, 429, "Too Many Requests: retry after 7", map[string]any{"retry_after": 7})
				return
			}
			if r.Form.Get("chat_id") != s.chat {
				fail(w, 400, "Bad Request: chat not found", nil)
				return
			}
			if s.blocked {
				fail(w, 403, "Forbidden: bot was blocked by the user", nil)
				return
			}
			text := r.Form.Get("text")
			if r.Form.Get("parse_mode") == "HTML" {
				for _, m := range telegramTags.FindAllStringSubmatch(text, -1) {
					switch m[1] {
					case "b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote":
					default:
						fail(w, 400, "Bad Request: can't parse entities: Unsupported start tag \""+m[1]+"\"", nil)
						return
					}
				}
			}
			// The limit counts the text as shown: after the tags and
			// entities are read.
			shown := text
			if r.Form.Get("parse_mode") == "HTML" {
				shown = html.UnescapeString(telegramTags.ReplaceAllString(text, ""))
			}
			if len([]rune(shown)) > 4096 {
				fail(w, 400, "Bad Request: message is too long", nil)
				return
			}
			s.sent = append(s.sent, r.Form)
			answer(w, 200, map[string]any{"ok": true, "result": map[string]any{"message_id": len(s.sent), "date": time.Now().Unix(), "text": text}})
		default:
			fail(w, 404, "Not Found: method not found", nil)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// toServer is the test's seam: an http.Client whose transport sends the
// bot library's requests for api.telegram.org to the test server (the
// library's endpoint is a constant).
func toServer(srv *httptest.Server) *http.Client {
	u, _ := url.Parse(srv.URL)
	return &http.Client{Transport: rewrite{u, http.DefaultTransport}}
}

type rewrite struct {
	to   *url.URL
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, r.to.Host
	return r.next.RoundTrip(req)
}

func TestTelegram(t *testing.T) {
	srv := newTelegramServer(t)
	ctx := context.Background()
	o := Options{HTTPClient: toServer(srv.Server)}
	cfg := func(token, chat string) string {
		return fmt.Sprintf("[channels.tg]\ntype = \"telegram\"\ntoken = %q\nchat_id = %s\n", token, chat)
	}
	ch := channel(t, cfg(srv.token, srv.chat), o)
	if len(srv.requests) != 0 {
		t.Fatal("building the channel called Telegram; it must wait for the first send")
	}
	msg := sample
	msg.Starters = []string{"They're into <chess> & tea."}
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x&y=2"}}
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.sent[0]
	text := got.Get("text")
	for _, want := range []string{"<b>Time to catch up with Alice</b>\n", "It has been 41 days &amp; counting.", "• They&#39;re into &lt;chess&gt; &amp; tea.",
		"<i>Hi &lt;Alice&gt;!</i>", `<a href="https://r.example.org/people/alice?t=1.x&amp;y=2">Open Alice in rekindle</a>`} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %q:\n%s", want, text)
		}
	}
	if got.Get("parse_mode") != "HTML" || got.Get("chat_id") != "4242" {
		t.Errorf("form %v", got)
	}
	// A long message is cut as plain text, never through a tag.
	long := sample
	long.Lead = strings.Repeat("<long> & ", 900)
	if err := ch.Deliver(ctx, long); err != nil {
		t.Errorf("a long message: %v", err)
	}

	srv.limited = 1
	e := failure(t, ch.Deliver(ctx, msg), true, "Too Many Requests")
	if e.RetryAfter != 7*time.Second {
		t.Errorf("retry after %v; want 7s", e.RetryAfter)
	}
	srv.blocked = true
	e = failure(t, ch.Deliver(ctx, msg), false, "Forbidden: bot was blocked by the user")
	if !strings.Contains(e.Hint, "start a chat") {
		t.Errorf("hint %q", e.Hint)
	}
	srv.blocked = false
	e = failure(t, channel(t, cfg(srv.token, "999"), o).Deliver(ctx, msg), false, "Bad Request: chat not found")
	if !strings.Contains(e.Hint, "chat_id") {
		t.Errorf("hint %q", e.Hint)
	}
	e = failure(t, channel(t, cfg("123456:wrong-token", srv.chat), o).Deliver(ctx, msg), false, "Unauthorized")
	if !strings.Contains(e.Hint, "@BotFather") {
		t.Errorf("hint %q", e.Hint)
	}
	// No server: temporary, and the token (in every request's URL) is
	// never shown.
	srv.Close()
	e = failure(t, channel(t, cfg(srv.token, srv.chat), o).Deliver(ctx, msg), true, "")
	if s := e.Error() + fmt.Sprint(e.Err); strings.Contains(s, "ABC-bot-token") {
		t.Errorf("the token shows: %s", s)
	}
}
