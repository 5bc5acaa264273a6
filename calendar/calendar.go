// Package calendar writes what rekindle plans as an iCalendar file (RFC
// 5545), for `rekindle plan --ics` and the server's /calendar.ics: a timed
// event at each reminder's delivery, an all-day event on each occasion's
// day. Each event's UID is stable (a hash of what the reminder is, never of
// when the file was made), so a calendar that fetches the feed again
// updates its events instead of adding them twice.
package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/links"
	"github.com/rekindle/rekindle/rules"
	"github.com/rekindle/rekindle/scheduler"
)

// Options say what a calendar holds besides the plan.
type Options struct {
	// Link is the address of a person's page for an event's URL; nil or
	// "" for none.
	Link func(id string) string
	// Now stamps the events (DTSTAMP).
	Now time.Time
}

// PersonLinks makes the addresses of people's pages for a calendar: the
// page under public_url when it is set, else at the listen address; none
// without a server. They carry no credential: whoever holds a calendar
// (its host too) learns where a page is, and a browser signed in to the
// dashboard opens it; nothing in a calendar opens a page by itself.
func PersonLinks(cfg *config.Config, listen string) func(id string) string {
	return func(id string) string {
		switch {
		case cfg.PublicURL != "":
			return links.PersonPage(cfg.PublicURL, id)
		case listen != "":
			return links.PersonPage("http://"+listen, id)
		}
		return ""
	}
}

// ReminderLength is how long a reminder's event lasts in the calendar: a
// slot to reach out in, not a meeting.
const ReminderLength = 15 * time.Minute

// Write writes the plan's reminders and occasions as one calendar.
func Write(w io.Writer, plan iter.Seq[scheduler.Planned], o Options) error {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//rekindle//rekindle plan//EN")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText("X-WR-CALNAME", "rekindle")
	for p := range plan {
		cal.Children = append(cal.Children, event(&p, o).Component)
	}
	var b bytes.Buffer
	if len(cal.Children) == 0 {
		// go-ical refuses a calendar with no events; a window with no
		// reminder in it is still a calendar, which a subscribed app must
		// read rather than drop.
		writeEmpty(&b, cal)
	} else if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return err
	}
	_, err := w.Write(fold(b.Bytes()))
	return err
}

// writeEmpty writes cal, which has properties and no components, as
// go-ical would: BEGIN, the properties by name, END. Its properties (set
// with SetText above) have no parameters.
func writeEmpty(b *bytes.Buffer, cal *ical.Calendar) {
	b.WriteString("BEGIN:" + cal.Name + "\r\n")
	for _, name := range slices.Sorted(maps.Keys(cal.Props)) {
		for _, p := range cal.Props[name] {
			b.WriteString(p.Name + ":" + p.Value + "\r\n")
		}
	}
	b.WriteString("END:" + cal.Name + "\r\n")
}

// lineLimit is the longest a line of an iCalendar file may be, in octets
// (CRLF not counted); a longer content line is folded into several.
const lineLimit = 75

// fold folds the content lines of data (each ending in CRLF) longer than
// lineLimit octets: the line breaks with CRLF and a space where it reaches
// the limit, the space counting toward the next line's length, and never
// inside a character's UTF-8 encoding, so every line is valid UTF-8 and a
// reader that unfolds (drops each CRLF followed by a space) gets the line
// back. go-ical writes lines whole.
func fold(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/lineLimit*3)
	for len(data) > 0 {
		end := bytes.Index(data, []byte("\r\n"))
		if end < 0 {
			end = len(data)
		}
		line := data[:end]
		data = data[min(end+2, len(data)):]
		limit := lineLimit
		for len(line) > limit {
			cut := limit
			for cut > limit-utf8.UTFMax && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out = append(out, line[:cut]...)
			out = append(out, "\r\n "...)
			line = line[cut:]
			limit = lineLimit - 1 // the space that marks the fold
		}
		out = append(out, line...)
		out = append(out, "\r\n"...)
	}
	return out
}

// event is one reminder: timed, at its delivery; or, for an occasion, the
// occasion's day, all day.
func event(p *scheduler.Planned, o Options) *ical.Event {
	e := ical.NewEvent()
	e.Props.SetDateTime(ical.PropDateTimeStamp, o.Now.UTC())
	c, r := p.Contact, &p.Result
	if name, day := p.Occasion(); name != "" {
		e.Props.SetText(ical.PropUID, uid(c.ID, "occasion", name, day.Format(time.DateOnly)))
		e.Props.SetDate(ical.PropDateTimeStart, day)
		e.Props.SetDate(ical.PropDateTimeEnd, day.AddDate(0, 0, 1))
		e.Props.SetText(ical.PropSummary, occasionSummary(c.Name, name, r.Years()))
		e.Props.SetText(ical.PropDescription, fmt.Sprintf("%s. rekindle reminds you on %s.",
			occasionSummary(c.Name, name, r.Years()), p.At.Format("Mon 2 Jan at 15:04")))
	} else {
		// One event per reminder and day: a reminder repeated days later
		// (remind_again) is another event; one moved within its day by
		// quiet hours or a new schedule is the same, updated.
		e.Props.SetText(ical.PropUID, uid(c.ID, string(p.Kind), strconv.FormatInt(r.Anchor.UnixMilli(), 10), p.At.Format(time.DateOnly)))
		e.Props.SetDateTime(ical.PropDateTimeStart, p.At.UTC())
		e.Props.SetDateTime(ical.PropDateTimeEnd, p.At.Add(ReminderLength).UTC())
		e.Props.SetText(ical.PropSummary, summary(c.Name, p.Kind))
		e.Props.SetText(ical.PropDescription, capital(r.Reason(p.Slot))+".")
	}
	e.Props.SetText(ical.PropTransparency, "TRANSPARENT") // never makes you look busy
	if o.Link != nil {
		if link := o.Link(c.ID); link != "" {
			if u, err := url.Parse(link); err == nil {
				e.Props.SetURI(ical.PropURL, u)
			}
		}
	}
	return e
}

// uid names an event by what it is: the same reminder, the same UID.
func uid(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32] + "@rekindle"
}

func summary(name string, k rules.Kind) string {
	switch k {
	case rules.CheckIn:
		return "Catch up with " + name
	case rules.CooldownOver:
		return "Reach out to " + name + ": the cooldown is over"
	case rules.FollowUp:
		return "Follow up with " + name
	case rules.LetBeNotice:
		return "Let " + name + " be"
	}
	return name + ": " + string(k)
}

func occasionSummary(name, occasion string, years int) string {
	s := name + ": " + occasion
	if occasion == rules.Birthday {
		s = name + "'s birthday"
	}
	if years > 0 {
		s += " (" + strconv.Itoa(years) + ")"
	}
	return s
}

func capital(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
