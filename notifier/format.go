package notifier

import (
	"strings"
)

// A message's formats. Each channel formats a message in its own style, in
// its own file: ntfy.go (markdown), slack.go (mrkdwn), email.go (HTML and
// text); the console and the desktop show Text, which lives here with what
// every style shares. A digest (Items) is a section per reminder.

// Text is m as plain text.
func (m Message) Text() string {
	if len(m.Items) > 0 {
		return sections(m.Items, "\n\n", func(it Message) string { return "== " + it.Title + "\n" + it.Text() })
	}
	return m.body().format(plainStyle)
}

// textWithLinks is m as plain text with its links after it, a line each,
// for the services that show plain text only.
func (m Message) textWithLinks() string { return m.withLinks(m.Text(), "\n", plainLink) }

// withLinks is text with m's links after it, each after sep, as link
// writes it.
func (m Message) withLinks(text, sep string, link func(Link) string) string {
	for _, l := range m.Links {
		text += sep + link(l)
	}
	return text
}

func plainLink(l Link) string    { return l.Label + ": " + l.URL }
func markdownLink(l Link) string { return "[" + l.Label + "](" + l.URL + ")" }

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

func asIs(s string) string { return s }

var plainStyle = style{asIs, func(h string) string { return h + ":" }, "- ",
	func(s string) string { return `"` + s + `"` }}

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
