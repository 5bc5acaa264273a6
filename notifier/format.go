package notifier

import (
	"html"
	"strings"
)

// A message's formats. Each channel asks for its own: the console and the
// desktop for Text, ntfy for markdown, Slack for mrkdwn, email for Text
// and html. A digest (Items) is a section per reminder.

// Text is m as plain text.
func (m Message) Text() string {
	if len(m.Items) > 0 {
		return sections(m.Items, "\n\n", func(it Message) string { return "== " + it.Title + "\n" + it.Text() })
	}
	return m.body().format(plainStyle)
}

// markdown is m in ntfy's markdown.
func (m Message) markdown() string {
	if len(m.Items) > 0 {
		return sections(m.Items, "\n\n", func(it Message) string { return "### " + it.Title + "\n" + it.markdown() })
	}
	return m.body().format(markdownStyle)
}

// mrkdwn is m in Slack's mrkdwn.
func (m Message) mrkdwn() string {
	if len(m.Items) > 0 {
		return sections(m.Items, "\n\n", func(it Message) string { return "*" + slackEscape.Replace(it.Title) + "*\n" + it.mrkdwn() })
	}
	return m.body().format(mrkdwnStyle)
}

// htmlFragment is m as an HTML fragment, for email.
func (m Message) htmlFragment() string {
	if len(m.Items) > 0 {
		return sections(m.Items, "\n", func(it Message) string { return "<h3>" + html.EscapeString(it.Title) + "</h3>\n" + it.htmlFragment() })
	}
	return m.body().html()
}

func sections(items []Message, sep string, f func(Message) string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = f(it)
	}
	return strings.Join(parts, sep)
}

func (m Message) body() body { return body{lead: m.Lead, starters: m.Starters, opener: m.Opener} }

// body is a reminder's content before formatting.
type body struct {
	lead     string
	starters []string
	opener   string
}

const (
	startersHeading = "Conversation starters"
	openerHeading   = "Something to send"
)

// style is how a text format marks up a body.
type style struct {
	escape  func(string) string
	heading func(string) string
	bullet  string
	quote   func(string) string
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func asIs(s string) string { return s }

var (
	plainStyle = style{asIs, func(h string) string { return h + ":" }, "- ",
		func(s string) string { return `"` + s + `"` }}
	markdownStyle = style{asIs, func(h string) string { return "**" + h + "**" }, "- ",
		func(s string) string { return "> " + s }}
	mrkdwnStyle = style{slackEscape.Replace, func(h string) string { return "*" + h + "*" }, "• ",
		func(s string) string { return ">" + s }}
)

func (b body) format(st style) string {
	var s strings.Builder
	s.WriteString(st.escape(b.lead))
	if len(b.starters) > 0 {
		s.WriteString("\n\n" + st.heading(startersHeading))
		for _, x := range b.starters {
			s.WriteString("\n" + st.bullet + st.escape(x))
		}
	}
	if b.opener != "" {
		s.WriteString("\n\n" + st.heading(openerHeading) + "\n" + st.quote(st.escape(b.opener)))
	}
	return s.String()
}

func (b body) html() string {
	var s strings.Builder
	s.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(b.lead), "\n", "<br>\n") + "</p>\n")
	if len(b.starters) > 0 {
		s.WriteString("<p><strong>" + startersHeading + "</strong></p>\n<ul>\n")
		for _, x := range b.starters {
			s.WriteString("<li>" + html.EscapeString(x) + "</li>\n")
		}
		s.WriteString("</ul>\n")
	}
	if b.opener != "" {
		s.WriteString("<p><strong>" + openerHeading + "</strong></p>\n<blockquote>" + html.EscapeString(b.opener) + "</blockquote>\n")
	}
	return s.String()
}
