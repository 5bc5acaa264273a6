package compose

import (
	"fmt"
	"hash/fnv"
	"strings"
	"text/template"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/rules"
)

// Reminder is what a run decided to tell the user about one person.
type Reminder struct {
	Contact *config.Contact
	Result  rules.Result // the facts behind it: kind, anchor, last talk, ...
	At      time.Time    // when the run evaluated it
}

// Data is what a reminder template can use, documented in docs/channels.md, "Messages".
type Data struct {
	Name       string   // "Alice Moreau"
	First      string   // "Alice"
	ID         string   // "alice-moreau"
	Days       int      // days since you last talked; 0 when unknown
	Last       string   // the last interaction, 2006-01-02; "" when unknown
	Every      string   // the cadence in words: "2 weeks"
	Fallout    string   // the fallout date, for cooldown_over
	CoolDays   int      // days since the fallout
	Sent       string   // the last unanswered message, for follow_up and let_be
	Unanswered int      // unanswered messages
	LastTry    bool     // the follow-up is the last one
	Interest   string   // one of their interests, or ""
	Interests  []string // all of them
	Notes      string
	Occasion   string // for occasion: "birthday", "anniversary" or the name the user gave it
	When       string // the occasion's day in words: "today", "tomorrow", "on 2026-12-24"
	Years      int    // the years it makes: 37 for a birthday in 1989 on its day in 2026; 0 when unknown
	Quiet      bool   // the occasion comes during a cooldown or while waiting for a reply
}

// The parts of a reminder a config may override: [templates.KIND].
var templateParts = []string{"title", "lead", "opener"}

// defaultTemplates are rekindle's own words. Openers are short, friendly
// and easy to send as they are; several per kind, picked per episode, so
// the same words don't come back every time.
var defaultTemplates = map[rules.Kind]map[string][]string{
	rules.CheckIn: {
		"title": {"Time to catch up with {{.Name}}"},
		"lead": {`{{if .Last}}It has been {{.Days}} days since you last talked{{if .Every}}; you wanted to keep in touch every {{.Every}}{{end}}.` +
			`{{else}}You haven't logged a conversation with {{.First}} yet. A hello is a fine start.{{end}}`},
		"opener": {
			`{{if .Interest}}Hey {{.First}}, you crossed my mind today. How is the {{.Interest}} going?{{else}}Hey {{.First}}, you crossed my mind today. How are you doing?{{end}}`,
			`Hi {{.First}}! It's been a while. What's new with you?`,
			`{{if .Interest}}Hey {{.First}}, saw something about {{.Interest}} and thought of you. How have you been?{{else}}Hey {{.First}}, it's been too long. Fancy catching up this week?{{end}}`,
		},
	},
	rules.CooldownOver: {
		"title": {"{{.Name}}: the cooldown is over"},
		"lead": {`It's been {{.CoolDays}} days since your falling-out on {{.Fallout}}. Before you write, think about your own part in it. ` +
			`A sincere apology for that, without a "but", does more than being right.`},
		"opener": {
			`Hi {{.First}}, I've been thinking about our argument, and I'm sorry for my part in it. No need to reply; I just wanted you to know.`,
			`Hey {{.First}}, I'm sorry about how things went between us. I miss talking with you, whenever you're ready.`,
		},
	},
	rules.FollowUp: {
		"title": {`{{if .LastTry}}One last try with {{.Name}}{{else}}No reply from {{.Name}} yet{{end}}`},
		"lead": {`{{if .LastTry}}You wrote on {{.Sent}} and haven't heard back. This is the last try: keep it light and leave the door open. After this, rekindle will let them be.` +
			`{{else}}You wrote on {{.Sent}} and haven't heard back. Messages get buried; a short, light nudge is fine.{{end}}`},
		"opener": {
			`{{if .LastTry}}Hi {{.First}}, no pressure at all. Whenever you feel like catching up, I'm here.{{else}}Hey {{.First}}, just bumping this up in case it got lost. No rush!{{end}}`,
		},
	},
	rules.OccasionKind: {
		"title": {`{{if eq .Occasion "birthday"}}{{.Name}}'s birthday is {{.When}}{{else}}{{.Name}}: {{.Occasion}} {{.When}}{{end}}`},
		"lead": {`{{if eq .Occasion "birthday"}}{{if .Years}}{{.First}} turns {{.Years}} {{.When}}.{{else}}It's {{.First}}'s birthday {{.When}}.{{end}}` +
			`{{else if eq .Occasion "anniversary"}}{{if .Years}}{{.Years}} {{if eq .Years 1}}year{{else}}years{{end}} married {{.When}}.{{else}}{{.First}}'s anniversary is {{.When}}.{{end}}` +
			`{{else}}{{.Occasion}}: {{if .Years}}{{.Years}} {{if eq .Years 1}}year{{else}}years{{end}} {{.When}}{{else}}{{.When}}{{end}}.{{end}}` +
			`{{if .Quiet}} Things are quiet between you right now; a short, warm wish that asks for nothing back is all this needs.` +
			`{{else}} A good moment to get in touch.{{end}}`},
		"opener": {
			`{{if eq .Occasion "birthday"}}{{if .Quiet}}Happy birthday, {{.First}}. Wishing you a lovely day.{{else}}Happy birthday, {{.First}}! I hope it's a great one. Let's celebrate soon?{{end}}` +
				`{{else if eq .Occasion "anniversary"}}{{if .Quiet}}Happy anniversary, {{.First}}. Wishing you both a lovely day.{{else}}Happy anniversary, {{.First}}! How are you two celebrating?{{end}}` +
				`{{else}}{{if .Quiet}}Thinking of you today, {{.First}}.{{else}}Hey {{.First}}, I was thinking of you today. How are you?{{end}}{{end}}`,
			`{{if eq .Occasion "birthday"}}{{if .Quiet}}Happy birthday, {{.First}}. I hope the year ahead is kind to you.{{else}}Happy birthday, {{.First}}! Any plans for the day?{{end}}` +
				`{{else if eq .Occasion "anniversary"}}{{if .Quiet}}Happy anniversary to you both, {{.First}}.{{else}}Happy anniversary, {{.First}}! Wishing you both many more.{{end}}` +
				`{{else}}{{if .Quiet}}Thinking of you today, {{.First}}. Hope all is well.{{else}}Hi {{.First}}, today made me think of you. What's new?{{end}}{{end}}`,
		},
	},
	rules.LetBeNotice: {
		"title": {"Let {{.Name}} be for now"},
		"lead": {`{{.Unanswered}} messages, the last on {{.Sent}}, and no reply. You've done your part, and nobody owes an answer. ` +
			`rekindle will stay quiet about {{.First}} until they reply; when they do, log it: rekindle log {{.ID}} replied`},
		"opener": {""},
	},
}

// Templates renders reminders; build it with NewTemplates.
type Templates struct {
	parts map[rules.Kind]map[string][]*template.Template
	// Now is the clock that One signs links by: a link's lifetime
	// counts from it, never from the run's time, which a dry run sets
	// anywhere (run --once --at 9000-01-01). nil: time.Now.
	Now func() time.Time
}

// now is the time One signs links at.
func (t *Templates) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

// NewTemplates compiles the default templates with the config's overrides
// ([templates.KIND] title, lead and opener) and tries each on sample data,
// so a mistake such as {{.Nmae}} is reported at start, not at 9 am.
func NewTemplates(overrides map[string]map[string]string) (*Templates, error) {
	t := &Templates{parts: map[rules.Kind]map[string][]*template.Template{}}
	var problems []string
	for kind, parts := range defaultTemplates {
		t.parts[kind] = map[string][]*template.Template{}
		for _, part := range templateParts {
			texts := parts[part]
			if o, ok := overrides[string(kind)][part]; ok {
				texts = []string{o}
			}
			for _, text := range texts {
				name := fmt.Sprintf("templates.%s.%s", kind, part)
				tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
				if err == nil {
					err = tmpl.Execute(&strings.Builder{}, sampleData)
				}
				if err != nil {
					problems = append(problems, err.Error())
					continue
				}
				t.parts[kind][part] = append(t.parts[kind][part], tmpl)
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid reminder template: %s", strings.Join(problems, "; "))
	}
	return t, nil
}

var sampleData = Data{Name: "Alice Moreau", First: "Alice", ID: "alice-moreau", Days: 30, Last: "2026-10-20",
	Every: "30 days", Fallout: "2026-11-20", CoolDays: 7, Sent: "2026-11-25", Unanswered: 2, Interest: "chess",
	Interests: []string{"chess"}, Notes: "New job.", Occasion: "birthday", When: "tomorrow", Years: 37}

// data gathers the template data for a reminder.
func data(r Reminder) Data {
	c, res := r.Contact, r.Result
	d := Data{
		Name: c.Name, First: c.Called, ID: c.ID,
		Every: c.Settings.Every.Human(), Interests: c.Interests, Notes: c.Notes,
		Unanswered: res.Unanswered, LastTry: res.LastTry,
	}
	if d.First == "" {
		d.First = firstName(c.Name)
	}
	if c.Settings.Every.IsZero() {
		d.Every = ""
	}
	if !res.Last.IsZero() {
		d.Last = res.Last.Format(time.DateOnly)
		d.Days = rules.DaysBetween(res.Last, r.At)
	}
	if !res.Fallout.IsZero() {
		d.Fallout = res.Fallout.Format(time.DateOnly)
		d.CoolDays = rules.DaysBetween(res.Fallout, r.At)
	}
	if res.Kind == rules.FollowUp || res.Kind == rules.LetBeNotice {
		d.Sent = res.Anchor.Format(time.DateOnly)
	}
	if len(c.Interests) > 0 {
		d.Interest = c.Interests[pick(c.ID, res.Anchor, len(c.Interests))]
	}
	if !res.OccasionDay.IsZero() {
		d.Occasion, d.When, d.Years = res.Occasion.Name, rules.When(r.At, res.OccasionDay), res.Years()
		d.Quiet = res.During == rules.CoolingDown || res.During == rules.Waiting
	}
	return d
}

// firstName is what an opener calls someone without called = "...": the
// first word of the name that is not a title ("Dr. Jane Roe" is Jane),
// and the given name of a name written surname first ("Doe, John").
func firstName(name string) string {
	if family, given, ok := strings.Cut(name, ","); ok && strings.TrimSpace(family) != "" {
		if g := strings.Fields(given); len(g) > 0 && !nameSuffixes[strings.ToLower(strings.TrimRight(g[0], "."))] {
			name = given // "Doe, John"; not "John Doe, Jr."
		}
	}
	words := strings.Fields(name)
	for _, w := range words {
		w = strings.Trim(w, ",;")
		if w != "" && !nameTitles[strings.ToLower(strings.TrimRight(w, "."))] {
			return w
		}
	}
	if len(words) > 0 {
		return strings.Trim(words[0], ",;")
	}
	return name
}

// nameTitles are the words before a name that are not what you call
// someone, written without their dot.
var nameTitles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true, "dame": true,
	"rev": true, "fr": true, "herr": true, "frau": true, "m": true, "mme": true, "mlle": true, "sr": true, "sra": true,
	"srta": true, "dott": true, "dott.ssa": true, "ing": true, "mag": true, "dipl.-ing": true,
}

// nameSuffixes follow a name after a comma ("John Doe, Jr.").
var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true, "md": true, "esq": true}

// pick chooses one of n variants, the same for the whole episode.
func pick(id string, anchor time.Time, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	h.Write([]byte(anchor.Format(time.RFC3339)))
	return int(h.Sum32() % uint32(n))
}

// kindTags is the tag each kind's push carries, from rules.KindTable.
var kindTags = func() map[rules.Kind][]string {
	m := map[rules.Kind][]string{}
	for _, k := range rules.KindTable {
		m[k.Kind] = []string{k.Tag}
	}
	return m
}()

// Render composes a reminder's message: its title, lead and opener from
// the templates, the person's notes and interests as conversation starters.
func (t *Templates) Render(r Reminder) (Message, error) {
	kind := r.Result.Kind
	parts, ok := t.parts[kind]
	if !ok {
		return Message{}, fmt.Errorf("render: no template for reminder kind %q", kind)
	}
	d := data(r)
	run := func(part string) (string, error) {
		list := parts[part]
		if len(list) == 0 {
			return "", nil
		}
		var b strings.Builder
		if err := list[pick(d.ID, r.Result.Anchor, len(list))].Execute(&b, d); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	}
	title, err := run("title")
	if err != nil {
		return Message{}, err
	}
	lead, err := run("lead")
	if err != nil {
		return Message{}, err
	}
	opener, err := run("opener")
	if err != nil {
		return Message{}, err
	}
	m := Message{Title: title, Lead: lead, Opener: opener, Tags: kindTags[kind]}
	// No conversation starters for someone to let be, nor for a wish that
	// should ask for nothing.
	if kind != rules.LetBeNotice && !(kind == rules.OccasionKind && d.Quiet) {
		m.Starters = starters(r.Contact)
	}
	if kind == rules.LetBeNotice {
		m.Priority = 2 // a notice, not a nudge
	}
	return m, nil
}

// TestMessage is what test-notify sends through a channel.
func TestMessage(channel string) Message {
	lead := fmt.Sprintf("This is a test from rekindle. If you can read it, the %q channel works. Nothing to do.", channel)
	return Message{Title: "rekindle test message", Lead: lead, Tags: []string{"white_check_mark"}, Test: true}
}

// Digest joins the reminders of one run into one message, a section
// each.
func Digest(msgs []Message) Message {
	d := Message{Title: fmt.Sprintf("%d people to reach out to", len(msgs)), Tags: []string{"busts_in_silhouette"}, Items: msgs}
	for _, m := range msgs {
		d.Priority = max(d.Priority, m.Priority)
	}
	return d
}

func starters(c *config.Contact) []string {
	var s []string
	if c.Notes != "" {
		s = append(s, c.Notes)
	}
	switch len(c.Interests) {
	case 0:
	case 1:
		s = append(s, "They're into "+c.Interests[0]+".")
	default:
		s = append(s, "They're into "+strings.Join(c.Interests[:len(c.Interests)-1], ", ")+" and "+c.Interests[len(c.Interests)-1]+".")
	}
	return s
}
