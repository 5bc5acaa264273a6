package notifytest

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Telegram speaks the Bot API as the bot library uses it: POST
// /bot<token>/getMe and /bot<token>/sendMessage with form values, and its
// answers {"ok": true, "result": ...} or {"ok": false, "error_code",
// "description", "parameters": {"retry_after"}}: 401 Unauthorized for a
// wrong token, 400 for an unknown chat, HTML it cannot parse or a text
// over 4,096 characters as shown, 403 when the user blocked the bot, 429
// with retry_after.
//
// It has one bot (Token) and one chat (Chat). The library's endpoint is a
// constant: Redirect is the seam.
type Telegram struct {
	*httptest.Server
	Token, Chat string

	mu       sync.Mutex
	sent     []url.Values
	limited  int
	blocked  bool
	requests []string
}

// telegramTags are the HTML tags the Bot API reads (parse_mode HTML).
var telegramTags = regexp.MustCompile(`</?([a-z-]+)[^>]*>`)

// NewTelegram starts a server.
func NewTelegram() *Telegram {
	s := &Telegram{Token: "123456:ABC-bot-token", Chat: "4242"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Sent returns the sendMessage requests taken, as their forms.
func (s *Telegram) Sent() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Requests returns the paths of every request so far.
func (s *Telegram) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Limit rate-limits the next n messages.
func (s *Telegram) Limit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = n
}

// Block makes the user block the bot, or unblock it.
func (s *Telegram) Block(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked = on
}

func (s *Telegram) handle(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, desc string, params map[string]any) {
		doc := map[string]any{"ok": false, "error_code": status, "description": desc}
		if params != nil {
			doc["parameters"] = params
		}
		reply(w, status, doc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.Path)
	tok, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || r.Method != http.MethodPost {
		fail(404, "Not Found", nil)
		return
	}
	if tok != s.Token {
		fail(401, "Unauthorized", nil)
		return
	}
	r.ParseForm()
	switch method {
	case "getMe":
		reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"id": 123456, "is_bot": true, "first_name": "rekindle", "username": "rekindle_bot"}})
	case "sendMessage":
		if next(&s.limited) {
			fail(429, "Too Many Requests: retry after 7", map[string]any{"retry_after": 7})
			return
		}
		if r.Form.Get("chat_id") != s.Chat {
			fail(400, "Bad Request: chat not found", nil)
			return
		}
		if s.blocked {
			fail(403, "Forbidden: bot was blocked by the user", nil)
			return
		}
		text := r.Form.Get("text")
		shown := text
		if r.Form.Get("parse_mode") == "HTML" {
			for _, m := range telegramTags.FindAllStringSubmatch(text, -1) {
				switch m[1] {
				case "b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote":
				default:
					fail(400, "Bad Request: can't parse entities: Unsupported start tag \""+m[1]+"\"", nil)
					return
				}
			}
			// The limit counts the text as shown: after the tags and
			// entities are read.
			shown = html.UnescapeString(telegramTags.ReplaceAllString(text, ""))
		}
		if len([]rune(shown)) > 4096 {
			fail(400, "Bad Request: message is too long", nil)
			return
		}
		s.sent = append(s.sent, r.Form)
		reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"message_id": len(s.sent), "date": time.Now().Unix(), "text": text}})
	default:
		fail(404, "Not Found: method not found", nil)
	}
}
