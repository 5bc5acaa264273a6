package notifier

import (
	"context"
	"errors"
	"html"
	"net/http"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api"
	"github.com/nikoksr/notify/service/telegram"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["telegram"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.TelegramSpec)
		return &telegramChannel{name: name, token: s.Token.Reveal(), chat: s.ChatID, client: o.httpClient(), timeout: o.Timeout}
	}
}

// telegramLimit is the most a Telegram message may hold.
const telegramLimit = 4096

// telegramChannel writes to a chat through nikoksr/notify's telegram
// service, in the HTML that Telegram reads. The bot is made at the first
// send, not when the config is loaded: making it asks Telegram who the bot
// is (getMe), which a start offline must not wait for.
type telegramChannel struct {
	name    string
	token   string
	chat    int64
	client  *http.Client
	timeout time.Duration

	mu  sync.Mutex
	bot *tgbotapi.BotAPI
}

// Name returns the channel's name.
func (c *telegramChannel) Name() string { return c.name }

// Type returns "telegram".
func (c *telegramChannel) Type() string { return "telegram" }

// Send implements notify.Notifier.
func (c *telegramChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver sends m to the chat. The bot library takes no context: the
// channel's client bounds each request with its timeouts.
func (c *telegramChannel) Deliver(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bot == nil {
		client := *c.client
		client.Timeout = c.timeout
		if client.Timeout == 0 {
			client.Timeout = defaultTimeout
		}
		bot, err := tgbotapi.NewBotAPIWithClient(c.token, &client)
		if err != nil {
			return c.failure(err)
		}
		c.bot = bot
	}
	svc := &telegram.Telegram{}
	svc.SetClient(c.bot)
	svc.AddReceivers(c.chat)
	body := telegramHTML(m)
	for _, l := range m.Links {
		body += "\n<a href=\"" + html.EscapeString(l.URL) + "\">" + html.EscapeString(l.Label) + "</a>"
	}
	if room := telegramLimit - len([]rune(m.Title)) - 1; len([]rune(body)) > room {
		// Cut as plain text: a cut through a tag is HTML Telegram refuses.
		body = html.EscapeString(truncate(m.Text(), room))
	}
	if err := send(ctx, svc, "<b>"+html.EscapeString(m.Title)+"</b>", body); err != nil {
		return c.failure(err)
	}
	return nil
}

// failure classifies what the Bot API said ({"ok": false, "description":
// ..., "parameters": {"retry_after": N}}): "Too Many Requests" is temporary,
// with its retry_after; "Unauthorized", "Forbidden" and "Bad Request" are
// permanent; anything else, and no answer, temporary. The token, which is
// in every request's URL, is cut out.
func (c *telegramChannel) failure(err error) *Error {
	var te tgbotapi.Error
	if !errors.As(err, &te) {
		return networkFailure(c.name, err, c.token)
	}
	e := &Error{Channel: c.name, Msg: "Telegram answered: " + redactAll(te.Message, []string{c.token}), Err: redactedError{err, []string{c.token}}}
	switch {
	case strings.HasPrefix(te.Message, "Too Many Requests"):
		e.Retryable, e.Status = true, http.StatusTooManyRequests
		e.RetryAfter = time.Duration(te.RetryAfter) * time.Second
		e.Fix = "Telegram's rate limit was reached; rekindle will try again later"
	case strings.HasPrefix(te.Message, "Unauthorized"):
		e.Status = http.StatusUnauthorized
		e.Fix = "the bot token is wrong or was revoked; get it from @BotFather"
	case strings.HasPrefix(te.Message, "Forbidden"):
		e.Status = http.StatusForbidden
		e.Fix = "the bot may not write to this chat: start a chat with it (or add it to the group) first"
	case strings.HasPrefix(te.Message, "Bad Request"):
		e.Status = http.StatusBadRequest
		if strings.Contains(te.Message, "chat not found") {
			e.Fix = "check chat_id: send the bot a message, then read the id from getUpdates"
		}
	default:
		e.Retryable = true
	}
	return e
}

// telegramHTML is m in the HTML subset Telegram reads: bold headings,
// bullets as text, the opener in italics; everything else escaped.
func telegramHTML(m Message) string {
	if len(m.Items) > 0 {
		return compose.Sections(m.Items, "\n\n", func(it Message) string { return "<b>" + html.EscapeString(it.Title) + "</b>\n" + telegramHTML(it) })
	}
	return m.Format(telegramStyle)
}

var telegramStyle = compose.Style{Escape: html.EscapeString, Heading: func(h string) string { return "<b>" + h + "</b>" }, Bullet: "• ",
	Quote: func(s string) string { return "<i>" + s + "</i>" }}
