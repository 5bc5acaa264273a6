package notifier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/rekindle/rekindle/config"
)

func init() {
	builders["discord"] = func(name string, spec config.ChannelSpec, o Options) Channel {
		s := spec.(*config.DiscordSpec)
		return &discordChannel{name: name, token: s.Token.Reveal(), channel: s.Channel, timeout: o.Timeout}
	}
}

// discordLimit is the most a Discord message may hold.
const discordLimit = 2000

// discordChannel posts as a bot with discordgo (which waits out a 429
// itself and tries again), as nikoksr/notify's discord service did: the
// title and the body on lines of one message.
type discordChannel struct {
	name, token, channel string
	timeout              time.Duration
}

// Name returns the channel's name.
func (c *discordChannel) Name() string { return c.name }

// Type returns "discord".
func (c *discordChannel) Type() string { return "discord" }

// Send implements notify.Notifier.
func (c *discordChannel) Send(ctx context.Context, subject, message string) error {
	return c.Deliver(ctx, Message{Title: subject, Lead: message})
}

// Deliver posts m in Discord's Markdown, with the links.
func (c *discordChannel) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	session, err := discordgo.New("Bot " + c.token)
	if err != nil {
		return &Error{Channel: c.name, Msg: "the bot token is not usable: " + redactAll(err.Error(), []string{c.token})}
	}
	session.Identify.Intents = discordgo.IntentsGuildMessageTyping
	svc := service(func(ctx context.Context, subject, message string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := session.ChannelMessageSend(c.channel, subject+"\n"+message); err != nil {
			return fmt.Errorf("send message to Discord channel %q: %w", c.channel, err)
		}
		return nil
	})
	body := m.WithLinks(markdown(m), "\n", func(l Link) string {
		return "[" + l.Label + "](<" + l.URL + ">)" // <...>: no preview of the link
	})
	title := "**" + m.Title + "**"
	if err := send(ctx, svc, title, truncate(body, discordLimit-len(title)-1)); err != nil {
		var re *discordgo.RESTError
		if !errors.As(err, &re) || re.Response == nil {
			return networkFailure(c.name, err, c.token)
		}
		detail := string(re.ResponseBody)
		if re.Message != nil && re.Message.Message != "" {
			detail = re.Message.Message
		}
		e := httpFailure(c.name, re.Response, redactAll(detail, []string{c.token}))
		e.Err = redactedError{err, []string{c.token}}
		switch re.Response.StatusCode {
		case http.StatusUnauthorized:
			e.Fix = "the bot token is wrong or was reset"
		case http.StatusForbidden:
			e.Fix = "the bot is not in the server, or may not post in this channel"
		case http.StatusNotFound:
			e.Fix = "check channel: it is the channel's id"
		}
		return e
	}
	return nil
}
