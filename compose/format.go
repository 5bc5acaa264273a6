package compose

import (
	"strings"
)

// A message's formats. Each channel formats a message in its own style, in
// its own file of package notifier: ntfy.go (markdown), slack.go (mrkdwn),
// email.go (HTML and text); the console and the desktop show Text, which
// lives here with what every style shares. A digest (Items) is a section
// per reminder.

// Text is m as plain text.
func (m Message) Text() string {
	if len(m.Items) > 0 {
		return Sections(m.Items, "\n\n", func(it Message) string { return "== " + it.Title + "\n" + it.Text() })
	}
	return m.Format(PlainStyle)
}

// TextWithLinks is m as plain text with its links after it, a line each,
// for the services that show plain text only.
func (m Message) TextWithLinks() string { return m.WithLinks(m.Text(), "\n", PlainLink) }

// WithLinks is text with m's links after it, each after sep, as link
// writes it.
func (m Message) WithLinks(text, sep string, link func(Link) string) string {
	for _, l := range m.Links {
		text += sep + link(l)
	}
	return text
}

// PlainLink writes a link as plain text.
func PlainLink(l Link) string { return l.Label + ": " + l.URL }

// MarkdownLink writes a link in markdown.
func MarkdownLink(l Link) string { return "[" + l.Label + "](" + l.URL + ")" }

// Sections joins a digest's items, each written by f, with sep.
func Sections(items []Message, sep string, f func(Message) string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = f(it)
	}
	return strings.Join(parts, sep)
}

// The headings of a reminder's parts, in every format.
const (
	StartersHeading = "Conversation starters"
	OpenerHeading   = "Something to send"
)

// Style is how a text format marks up one reminder's lead, starters and
// opener.
type Style struct {
	Escape  func(string) string
	Heading func(string) string
	Bullet  string
	Quote   func(string) string
}

// AsIs leaves text as it is: the escape of a format with nothing to escape.
func AsIs(s string) string { return s }

// PlainStyle is plain text.
var PlainStyle = Style{Escape: AsIs, Heading: func(h string) string { return h + ":" }, Bullet: "- ",
	Quote: func(s string) string { return `"` + s + `"` }}

// Format writes one reminder (not a digest) in st.
func (m Message) Format(st Style) string {
	var s strings.Builder
	s.WriteString(st.Escape(m.Lead))
	if len(m.Starters) > 0 {
		s.WriteString("\n\n" + st.Heading(StartersHeading))
		for _, x := range m.Starters {
			s.WriteString("\n" + st.Bullet + st.Escape(x))
		}
	}
	if m.Opener != "" {
		s.WriteString("\n\n" + st.Heading(OpenerHeading) + "\n" + st.Quote(st.Escape(m.Opener)))
	}
	return s.String()
}
