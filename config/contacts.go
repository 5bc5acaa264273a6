package config

import (
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"

	"github.com/rekindle/rekindle/rules"
)

// contacts reads the [[contact]] tables, each with the settings it
// inherits: contact, then group, then [defaults], then the built-in
// defaults (see layer).
func (r *reader) contacts(doc map[string]any, cfg *Config, defaultChannels []string) {
	if s := r.rest; s != nil {
		// doc is the head of a large file: its contacts come from the
		// pieces, each read as soon as it is decoded.
		r.rest = nil
		run := r.startContacts(cfg, defaultChannels, s.contacts)
		r.restFailed = !s.each(run.read)
		return
	}
	v, ok := doc["contact"]
	if !ok {
		return
	}
	var list []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		list = v
	case []any:
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				r.ps.add(path{"contact", strconv.Itoa(i)}, "each contact must be a table; write [[contact]] above each person")
				continue
			}
			list = append(list, m)
		}
	default:
		r.ps.add(path{"contact"}, "you wrote [contact]; write [[contact]] (double brackets) above each person")
		return
	}
	run := r.startContacts(cfg, defaultChannels, len(list))
	run.read(list)
}

// contactRun reads the contacts of one file into cfg.Contacts, a run of
// them at a time (a large file comes in pieces: splitPieces).
type contactRun struct {
	r               *reader
	cfg             *Config
	defaultChannels []string
	groupNames      []string
	base            int // the index in cfg.Contacts of the file's first contact
	n               int // how many of the file's contacts were read
}

// startContacts makes room for the file's count contacts, which follow
// those read before (an included file's follow the config's).
func (r *reader) startContacts(cfg *Config, defaultChannels []string, count int) *contactRun {
	base := len(cfg.Contacts)
	cfg.Contacts = append(cfg.Contacts, make([]Contact, count)...)
	r.contactNames = make([]string, count)
	groupNames := make([]string, 0, len(cfg.Groups))
	for n := range cfg.Groups {
		groupNames = append(groupNames, n)
	}
	sort.Strings(groupNames)
	if len(cfg.ids) == 0 {
		cfg.ids = make(map[string]int, count)
	}
	return &contactRun{r: r, cfg: cfg, defaultChannels: defaultChannels, groupNames: groupNames, base: base}
}

// read reads the next contacts of the file, in order.
func (run *contactRun) read(list []map[string]any) {
	r, cfg, defaultChannels, groupNames, base := run.r, run.cfg, run.defaultChannels, run.groupNames, run.base
	first := run.n
	run.n += len(list)
	for j, t := range list {
		i := first + j
		p := path{"contact", strconv.Itoa(i)}
		// A contact has a few of its keys: each is looked up in t only
		// when it is there (a lookup hashes the key, found or not).
		has := r.contactKeys(t, p)
		in := func(key keyBit) map[string]any {
			if has&key != 0 {
				return t
			}
			return nil
		}
		c := &cfg.Contacts[base+i]
		c.Settings, c.Channels = cfg.Defaults, defaultChannels
		c.Name, _ = r.str(in(bitName), p, "name")
		r.contactNames[i] = c.Name
		if strings.TrimSpace(c.Name) == "" {
			if has&bitName == 0 {
				r.ps.add(p, "every contact needs a name: name = \"...\"")
			} else {
				r.ps.add(p.with("name"), "name is empty")
			}
		}
		if id, ok := r.str(in(bitID), p, "id"); ok {
			if !validID(id) {
				r.ps.add(p.with("id"), "id %q may hold letters, digits, '-', '_' and '.', and must start with a letter or digit", id)
			}
			c.ID = id
		} else if c.Name != "" {
			c.ID = Slug(c.Name)
			if c.ID == "" {
				r.ps.add(p.with("name"), "cannot make an id from the name %q; add id = \"...\" with letters or digits", c.Name)
			}
		}
		if c.ID != "" {
			if j, dup := cfg.ids[c.ID]; dup {
				file, k := cfg.source(j)
				where := ""
				if file != r.file {
					where = " in " + file
				}
				r.ps.add(p.with("id"), "duplicate id %q: contact[%d] (%s)%s has it too; give one of them its own id = \"...\"", c.ID, k, cfg.Contacts[j].Name, where)
			} else {
				cfg.ids[c.ID] = base + i
			}
		}
		if g, ok := r.str(in(bitGroup), p, "group"); ok {
			grp, found := cfg.Groups[g]
			if !found {
				msg := fmt.Sprintf("unknown group %q", g)
				if s := Suggest(g, groupNames); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else if len(groupNames) > 0 {
					msg += "; defined groups: " + strings.Join(groupNames, ", ")
				} else {
					msg += fmt.Sprintf("; define it with a [groups.%s] table", g)
				}
				r.ps.add(p.with("group"), "%s", msg)
			} else {
				c.Group = g
				c.Settings = grp.Settings
				c.Channels = grp.Channels
			}
		}
		if has&settingBits != 0 {
			l := r.layer(t, p, cfg)
			l.apply(&c.Settings)
			if l.channels != nil {
				c.Channels = l.channels
			}
		}
		// email = [...]: plain addresses, no display names; phone =
		// [...]: digits with the usual separators.
		c.Emails = r.checkedStrings(in(bitEmail), p, "email", ValidEmail, `is not an email address such as "ana@example.org"`)
		c.Phones = r.checkedStrings(in(bitPhone), p, "phone", ValidPhone,
			`is not a phone number: write digits, with + in front for the country and spaces, '-', '.', '/' or brackets between, such as "+49 30 1234567"`)
		if called, ok := r.str(in(bitCalled), p, "called"); ok {
			c.Called = strings.TrimSpace(called)
			if c.Called == "" {
				r.ps.add(p.with("called"), "called is empty; write the name you use with them, or leave the line out")
			}
		}
		c.Notes, _ = r.str(in(bitNotes), p, "notes")
		c.Interests, _ = r.strings(in(bitInterests), p, "interests")
		c.Dates.Paused, _ = r.bool(in(bitPaused), p, "paused")
		if v, ok := in(bitLastInteraction)["last_interaction"]; ok {
			c.Dates.LastInteraction = r.latest(v, p, "last_interaction")
		}
		if v, ok := in(bitFallout)["fallout"]; ok {
			c.Dates.Fallout = r.latest(v, p, "fallout")
		}
		if v, ok := in(bitReachedOut)["reached_out"]; ok {
			c.Dates.ReachedOut = r.dates(v, p, "reached_out")
		}
		if has&(bitBirthday|bitDates) != 0 {
			c.Dates.Occasions = r.occasions(t, p)
		}
	}
}

// keyBit is a contact key's bit in the set of keys a contact has.
type keyBit uint64

// contactKeys reports every key of the contact t that a contact does not
// accept, as keys does, and returns the set of those it has.
func (r *reader) contactKeys(t map[string]any, p path) keyBit {
	var has keyBit
	for k := range t {
		if bit, ok := contactBits[k]; ok {
			has |= bit
			continue
		}
		r.ps.addUnknown(p.with(k), contactKeys)
	}
	return has
}

// contactBits gives each of contactKeys its bit.
var contactBits = func() map[string]keyBit {
	m := make(map[string]keyBit, len(contactKeys))
	if len(contactKeys) > 64 {
		panic("config: more contact keys than bits in a keyBit")
	}
	for i, k := range contactKeys {
		m[k] = 1 << i
	}
	return m
}()

// The bits of the keys the reader asks for one by one; settingBits are
// those of the settings a contact may set for itself (layer).
var (
	bitName, bitCalled, bitID, bitGroup = contactBits["name"], contactBits["called"], contactBits["id"], contactBits["group"]
	bitEmail, bitPhone, bitBirthday     = contactBits["email"], contactBits["phone"], contactBits["birthday"]
	bitDates, bitLastInteraction        = contactBits["dates"], contactBits["last_interaction"]
	bitFallout, bitReachedOut           = contactBits["fallout"], contactBits["reached_out"]
	bitInterests, bitNotes, bitPaused   = contactBits["interests"], contactBits["notes"], contactBits["paused"]
	settingBits                         = func() keyBit {
		var bits keyBit
		for _, k := range settingKeys {
			bits |= contactBits[k]
		}
		return bits
	}()
)

// layer is one level of settings: [defaults], a group or a contact. Nil
// fields are not set at that level.
type layer struct {
	every, cooldown, followUpAfter, remindAgain, occasionNotice *rules.Duration
	maxUnanswered, maxReminders                                 *int
	channels                                                    []string
}

func (l *layer) apply(s *rules.Settings) {
	if l.every != nil {
		s.Every = *l.every
	}
	if l.cooldown != nil {
		s.Cooldown = *l.cooldown
	}
	if l.followUpAfter != nil {
		s.FollowUpAfter = *l.followUpAfter
	}
	if l.remindAgain != nil {
		s.RemindAgain = *l.remindAgain
	}
	if l.occasionNotice != nil {
		s.OccasionNotice = *l.occasionNotice
	}
	if l.maxUnanswered != nil {
		s.MaxUnanswered = *l.maxUnanswered
	}
	if l.maxReminders != nil {
		s.MaxReminders = *l.maxReminders
	}
}

func (r *reader) layer(t map[string]any, p path, cfg *Config) layer {
	var l layer
	if p[0] != "contact" {
		r.keys(t, p, settingSet, settingKeys)
	}
	l.every = r.duration(t, p, "every")
	l.cooldown = r.duration(t, p, "cooldown")
	l.followUpAfter = r.duration(t, p, "follow_up_after")
	l.remindAgain = r.duration(t, p, "remind_again")
	l.occasionNotice = r.duration(t, p, "occasion_notice")
	if n := l.occasionNotice; n != nil && (n.Days > 366 || (n.Days == 366 && n.Clock > 0)) {
		r.ps.add(p.with("occasion_notice"), "a notice of more than a year comes before the last occasion; use at most \"366d\"")
	}
	if n, ok := r.int(t, p, "max_unanswered"); ok {
		if n < 1 {
			r.ps.add(p.with("max_unanswered"), "must be 1 or more (1: let them be after the first unanswered message), not %d", n)
		}
		l.maxUnanswered = &n
	}
	if n, ok := r.int(t, p, "max_reminders"); ok {
		if n < 1 {
			r.ps.add(p.with("max_reminders"), "must be 1 or more (1: remind once, never again), not %d", n)
		}
		l.maxReminders = &n
	}
	if names, ok := r.strings(t, p, "channels"); ok {
		for _, n := range names {
			if _, found := cfg.Channels[n]; !found && n != ConsoleChannel {
				msg := fmt.Sprintf("unknown channel %q", n)
				if s := Suggest(n, cfg.ChannelNames()); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else if len(cfg.Channels) > 0 {
					msg += "; configured channels: " + strings.Join(cfg.ChannelNames(), ", ")
				} else {
					msg += fmt.Sprintf("; define it with a [channels.%s] table", n)
				}
				r.ps.add(p.with("channels"), "%s", msg)
			}
		}
		if len(names) == 0 {
			r.ps.add(p.with("channels"), "is empty; name at least one channel, or leave it out")
		}
		l.channels = names
	}
	return l
}

// checkedStrings reads a list of strings of which each must pass valid;
// why says what a bad one is not, after its quoted value.
func (r *reader) checkedStrings(t map[string]any, p path, key string, valid func(string) bool, why string) []string {
	list, _ := r.strings(t, p, key)
	for _, v := range list {
		if !valid(v) {
			r.ps.add(p.with(key), "%q %s", v, why)
		}
	}
	return list
}

// ValidEmail accepts a bare address: a local part, @, and a domain with a
// dot or a single label, as net/mail reads it.
func ValidEmail(a string) bool {
	m, err := mail.ParseAddress(a)
	return err == nil && m.Address == a && m.Name == ""
}

// phoneExtension is an extension after a number: "ext. 89", "x12", or a
// tel: URI's ";ext=102".
var phoneExtension = lazyRegexp(`(?i)(?:\s*;\s*ext=|\s*,?\s*(?:ext\.?|extension|x)\s*)(\d{1,10})$`)

// SplitPhone cuts an extension off a number: "+1 555 0100 ext. 89" is
// "+1 555 0100" and "89"; ext is "" when there is none.
func SplitPhone(n string) (number, ext string) {
	// Every form of an extension holds an x ("ext", "extension", "x"):
	// without one, the expression (a tenth of import's time) cannot match.
	if strings.IndexByte(n, 'x') < 0 && strings.IndexByte(n, 'X') < 0 { // ContainsAny builds a set a call
		return n, ""
	}
	if m := phoneExtension().FindStringSubmatchIndex(n); m != nil && m[0] > 0 {
		return n[:m[0]], n[m[2]:m[3]]
	}
	return n, ""
}

// ValidPhone accepts 3 to 20 digits with an optional leading + and the
// usual separators: spaces, -, ., / and brackets, and an extension after
// them (see SplitPhone).
func ValidPhone(n string) bool {
	n, _ = SplitPhone(n)
	return PlainPhone(n)
}

// PlainPhone is ValidPhone of a number without an extension: 3 to 20
// digits, a leading + and spaces, -, ., / and brackets between them, all
// ASCII (so nothing hidden in it either).
func PlainPhone(n string) bool {
	digits := 0
	for i := 0; i < len(n); i++ {
		switch c := n[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}
