package config

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rekindle/rekindle/rules"
)

// The keys each table accepts.
var (
	topKeys       = []string{"timezone", "schedule", "quiet_hours", "max_per_run", "digest", "listen", "public_url", "api_token", "api_token_file", "defaults", "groups", "channels", "templates", "contact"}
	templateKinds = []string{"check_in", "cooldown_over", "follow_up", "let_be"}
	templateParts = []string{"title", "lead", "opener"}
	settingKeys   = []string{"every", "cooldown", "follow_up_after", "max_unanswered", "remind_again", "channels"}
	contactKeys   = append([]string{"name", "id", "group", "last_interaction", "fallout", "reached_out", "interests", "notes", "paused"}, settingKeys...)
)

func set(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

var (
	topSet     = set(topKeys)
	settingSet = set(settingKeys)
	contactSet = set(contactKeys)
)

// reader walks the decoded document and collects problems.
type reader struct {
	ps           problems
	loc          *time.Location
	contactNames []string
	dir          string // the config file's directory: relative *_file paths start there
}

func (r *reader) document(doc map[string]any) *Config {
	cfg := &Config{
		ScheduleSpec: DefaultSchedule,
		MaxPerRun:    DefaultMaxPerRun,
		Location:     time.Local,
		Groups:       map[string]Group{},
		Channels:     map[string]*Channel{},
		ids:          map[string]int{},
	}
	r.keys(doc, nil, topSet, topKeys)

	if tz, ok := r.str(doc, nil, "timezone"); ok && tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			r.ps.add(path{"timezone"}, "unknown time zone %q; use an IANA name such as \"Europe/Berlin\" or \"America/New_York\", or leave it out for the system's zone", tz)
		} else {
			cfg.Location, cfg.Timezone = loc, tz
		}
	}
	r.loc = cfg.Location

	if spec, ok := r.str(doc, nil, "schedule"); ok {
		cfg.ScheduleSpec = spec
	}
	sched, err := ParseSchedule(cfg.ScheduleSpec)
	if err != nil {
		r.ps.add(path{"schedule"}, "%v", err)
	}
	cfg.Schedule = sched

	if qh, ok := r.str(doc, nil, "quiet_hours"); ok {
		q, err := ParseQuietHours(qh)
		if err != nil {
			r.ps.add(path{"quiet_hours"}, "%v", err)
		}
		cfg.QuietHours = q
	}
	if n, ok := r.int(doc, nil, "max_per_run"); ok {
		if n < 0 {
			r.ps.add(path{"max_per_run"}, "must be 0 (no limit) or more, not %d", n)
		}
		cfg.MaxPerRun = n
	}
	if b, ok := r.bool(doc, nil, "digest"); ok {
		cfg.Digest = b
	}
	r.server(doc, cfg)

	// Channels first: the other tables name them.
	r.subtables(doc, "channels", func(name string, t map[string]any, p path) {
		if ch := r.channel(name, t, p); ch != nil {
			cfg.Channels[name] = ch
		}
	})

	defaults := rules.DefaultSettings()
	var defaultChannels []string
	if t, ok := r.table(doc, nil, "defaults"); ok {
		l := r.layer(t, path{"defaults"}, cfg)
		l.apply(&defaults)
		defaultChannels = l.channels
	}
	cfg.Defaults = defaults
	if defaultChannels == nil {
		defaultChannels = cfg.ChannelNames()
		if len(defaultChannels) == 0 {
			defaultChannels = []string{ConsoleChannel}
		}
	}

	r.subtables(doc, "groups", func(name string, t map[string]any, p path) {
		l := r.layer(t, p, cfg)
		g := Group{Name: name, Settings: defaults, Channels: defaultChannels}
		l.apply(&g.Settings)
		if l.channels != nil {
			g.Channels = l.channels
		}
		cfg.Groups[name] = g
	})

	cfg.Templates = map[string]map[string]string{}
	kinds, parts := set(templateKinds), set(templateParts)
	if t, ok := r.table(doc, nil, "templates"); ok {
		r.keys(t, path{"templates"}, kinds, templateKinds)
	}
	r.subtables(doc, "templates", func(kind string, t map[string]any, p path) {
		if !kinds[kind] {
			return // reported above
		}
		r.keys(t, p, parts, templateParts)
		cfg.Templates[kind] = map[string]string{}
		for _, part := range templateParts {
			if text, ok := r.str(t, p, part); ok {
				cfg.Templates[kind][part] = text
			}
		}
	})

	r.contacts(doc, cfg, defaultChannels)
	return cfg
}

// server reads listen, public_url and api_token: the HTTP server.
func (r *reader) server(doc map[string]any, cfg *Config) {
	if l, ok := r.str(doc, nil, "listen"); ok {
		host, port, err := net.SplitHostPort(l)
		if err != nil || port == "" {
			r.ps.add(path{"listen"}, "%q is not host:port; write listen = \"127.0.0.1:8785\"", l)
		}
		cfg.Listen = l
		cfg.ListenLoopback = host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
	}
	if u, ok := r.str(doc, nil, "public_url"); ok {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			r.ps.add(path{"public_url"}, "%q is not an http(s) URL such as \"https://rekindle.example.org\"", u)
		}
		cfg.PublicURL = strings.TrimRight(u, "/")
	}
	cfg.APIToken = r.secret(doc, nil, "api_token")
	if cfg.APIToken.IsSet() && len(cfg.APIToken.Reveal()) < 16 {
		r.ps.add(path{"api_token"}, "is too short to guard the API; use at least 16 random characters (openssl rand -hex 24)")
	}
	if cfg.Listen != "" && !cfg.ListenLoopback && !cfg.APIToken.IsSet() {
		r.ps.add(path{"listen"}, "listening beyond this machine needs api_token (or api_token_file)")
	}
	if cfg.PublicURL != "" && !cfg.APIToken.IsSet() {
		r.ps.add(path{"public_url"}, "links that leave the machine need api_token (or api_token_file) to be safe")
	}
	if (cfg.PublicURL != "" || cfg.APIToken.IsSet()) && cfg.Listen == "" {
		r.ps.add(path{"listen"}, "public_url and api_token serve the HTTP server; set listen = \"127.0.0.1:8785\"")
	}
}

// subtables calls f for each [key.NAME] table of doc.
func (r *reader) subtables(doc map[string]any, key string, f func(name string, t map[string]any, p path)) {
	tables, ok := r.table(doc, nil, key)
	if !ok {
		return
	}
	for name, v := range tables {
		p := path{key, name}
		t, ok := v.(map[string]any)
		if !ok {
			r.ps.add(p, "must be a table: [%s.%s]", key, name)
			continue
		}
		f(name, t, p)
	}
}

func (r *reader) contacts(doc map[string]any, cfg *Config, defaultChannels []string) {
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
	cfg.Contacts = make([]Contact, len(list))
	r.contactNames = make([]string, len(list))
	groupNames := make([]string, 0, len(cfg.Groups))
	for n := range cfg.Groups {
		groupNames = append(groupNames, n)
	}
	sort.Strings(groupNames)
	cfg.ids = make(map[string]int, len(list))

	for i, t := range list {
		p := path{"contact", strconv.Itoa(i)}
		r.keys(t, p, contactSet, contactKeys)
		c := &cfg.Contacts[i]
		c.Settings, c.Channels = cfg.Defaults, defaultChannels
		c.Name, _ = r.str(t, p, "name")
		r.contactNames[i] = c.Name
		if strings.TrimSpace(c.Name) == "" {
			if _, ok := t["name"]; !ok {
				r.ps.add(p, "every contact needs a name: name = \"...\"")
			} else {
				r.ps.add(p.with("name"), "name is empty")
			}
		}
		if id, ok := r.str(t, p, "id"); ok {
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
				r.ps.add(p.with("id"), "duplicate id %q: contact[%d] (%s) has it too; give one of them its own id = \"...\"", c.ID, j, r.contactNames[j])
			} else {
				cfg.ids[c.ID] = i
			}
		}
		if g, ok := r.str(t, p, "group"); ok {
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
		l := r.layer(t, p, cfg)
		l.apply(&c.Settings)
		if l.channels != nil {
			c.Channels = l.channels
		}
		c.Notes, _ = r.str(t, p, "notes")
		c.Interests, _ = r.strings(t, p, "interests")
		c.Dates.Paused, _ = r.bool(t, p, "paused")
		if v, ok := t["last_interaction"]; ok {
			c.Dates.LastInteraction = r.latest(v, p, "last_interaction")
		}
		if v, ok := t["fallout"]; ok {
			c.Dates.Fallout = r.latest(v, p, "fallout")
		}
		if v, ok := t["reached_out"]; ok {
			c.Dates.ReachedOut = r.dates(v, p, "reached_out")
		}
	}
}

// layer is one level of settings: [defaults], a group or a contact. Nil
// fields are not set at that level.
type layer struct {
	every, cooldown, followUpAfter, remindAgain *rules.Duration
	maxUnanswered                               *int
	channels                                    []string
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
	if l.maxUnanswered != nil {
		s.MaxUnanswered = *l.maxUnanswered
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
	if n, ok := r.int(t, p, "max_unanswered"); ok {
		if n < 1 {
			r.ps.add(p.with("max_unanswered"), "must be 1 or more (1: let them be after the first unanswered message), not %d", n)
		}
		l.maxUnanswered = &n
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

// present reports whether any of the keys is in t.
func present(t map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := t[k]; ok {
			return true
		}
	}
	return false
}

func (r *reader) httpURL(s string, p path) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.ps.add(p, "%q is not an http(s) URL such as \"https://ntfy.sh\"", s)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keys reports every key of t that the table does not accept.
func (r *reader) keys(t map[string]any, p path, allowed map[string]bool, known []string) {
	for k := range t {
		if allowed[k] {
			continue
		}
		msg := "unknown key"
		if len(p) == 0 && k == "contacts" {
			r.ps.add(p.with(k), "you wrote [[contacts]]; write [[contact]] (singular) above each person")
			continue
		}
		if s := Suggest(k, known); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; this table accepts " + strings.Join(known, ", ")
		}
		r.ps.add(p.with(k), "%s", msg)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func (r *reader) str(t map[string]any, p path, key string) (string, bool) {
	v, ok := t[key]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		r.ps.add(p.with(key), "must be a string in quotes, not %s", typeName(v))
	}
	return s, ok
}

func (r *reader) int(t map[string]any, p path, key string) (int, bool) {
	v, ok := t[key]
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		r.ps.add(p.with(key), "must be a whole number, not %s", typeName(v))
		return 0, false
	}
	if n > 1<<31 || n < -(1<<31) {
		r.ps.add(p.with(key), "%d is out of range", n)
		return 0, false
	}
	return int(n), true
}

func (r *reader) bool(t map[string]any, p path, key string) (bool, bool) {
	v, ok := t[key]
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		r.ps.add(p.with(key), "must be true or false (no quotes), not %s", typeName(v))
	}
	return b, ok
}

func (r *reader) table(t map[string]any, p path, key string) (map[string]any, bool) {
	v, ok := t[key]
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		if len(p) == 0 && key == "channels" {
			// channels = [...] at the top: meant as the channels everyone
			// uses, which is a setting of [defaults].
			r.ps.add(p.with(key), "you wrote channels = [...] at the top, where [channels.NAME] tables define channels; to pick the channels everyone uses, write it under [defaults]: [defaults] channels = %s", tomlList(v))
			return nil, false
		}
		r.ps.add(p.with(key), "must be a table: [%s]", key)
	}
	return m, ok
}

// tomlList writes a decoded array back as TOML, for a message.
func tomlList(v any) string {
	list, ok := v.([]any)
	if !ok {
		return "[\"...\"]"
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = fmt.Sprintf("%q", e)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (r *reader) strings(t map[string]any, p path, key string) ([]string, bool) {
	v, ok := t[key]
	if !ok {
		return nil, false
	}
	if s, ok := v.(string); ok {
		r.ps.add(p.with(key), "must be a list: %s = [%q]", key, s)
		return nil, false
	}
	list, ok := v.([]any)
	if !ok {
		r.ps.add(p.with(key), "must be a list of strings, not %s", typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			r.ps.add(p.with(key), "must be a list of strings; found %s", typeName(e))
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (r *reader) duration(t map[string]any, p path, key string) *rules.Duration {
	v, ok := t[key]
	if !ok {
		return nil
	}
	var d rules.Duration
	switch v := v.(type) {
	case string:
		var err error
		d, err = rules.ParseDuration(v)
		if err != nil {
			r.ps.add(p.with(key), "%v", err)
			return nil
		}
	case int64:
		if v != 0 {
			r.ps.add(p.with(key), "a duration needs a unit and quotes: %s = \"%dd\"", key, v)
			return nil
		}
	default:
		r.ps.add(p.with(key), "must be a duration in quotes such as \"2d\", not %s", typeName(v))
		return nil
	}
	return &d
}

// date reads a TOML date. A local date or date-time means that calendar day
// and clock time in the configured zone: BurntSushi/toml decodes those with a
// placeholder location, which is re-read here. The key's path is only built
// for a problem: this runs for every date of every contact.
func (r *reader) date(v any, p path, key string) (time.Time, bool) {
	t, ok := v.(time.Time)
	if !ok {
		if s, isStr := v.(string); isStr {
			r.ps.add(p.with(key), "write dates without quotes, as 2026-11-20, not %q", s)
		} else {
			r.ps.add(p.with(key), "must be a date such as 2026-11-20, not %s", typeName(v))
		}
		return time.Time{}, false
	}
	switch t.Location().String() {
	case "date-local", "datetime-local":
		y, m, d := t.Date()
		h, mi, s := t.Clock()
		return time.Date(y, m, d, h, mi, s, t.Nanosecond(), r.loc), true
	case "time-local":
		r.ps.add(p.with(key), "a time of day alone is not a date; write 2026-11-20 or 2026-11-20T18:30:00")
		return time.Time{}, false
	}
	return t.In(r.loc), true
}

// dates reads a date or a list of dates.
func (r *reader) dates(v any, p path, key string) []time.Time {
	list, ok := v.([]any)
	if !ok {
		if t, ok := r.date(v, p, key); ok {
			return []time.Time{t}
		}
		return nil
	}
	if len(list) == 0 {
		return nil
	}
	out := make([]time.Time, 0, len(list))
	for _, e := range list {
		if t, ok := r.date(e, p, key); ok {
			out = append(out, t)
		}
	}
	return out
}

// latest reads a date, or a list of dates of which the latest counts.
func (r *reader) latest(v any, p path, key string) time.Time {
	if t, ok := v.(time.Time); ok {
		t, _ = r.date(t, p, key)
		return t
	}
	var last time.Time
	for _, t := range r.dates(v, p, key) {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// secret reads key or key_file; key may hold ${ENV} references.
func (r *reader) secret(t map[string]any, p path, key string) Secret {
	lit, hasLit := t[key]
	file, hasFile := r.str(t, p, key+"_file")
	switch {
	case hasLit && hasFile:
		r.ps.add(p.with(key), "set either %s or %s_file, not both", key, key)
		return Secret{}
	case hasFile:
		v, err := readSecretFile(secretPath(file, r.dir))
		if err != nil {
			r.ps.add(p.with(key+"_file"), "%v", err)
			return Secret{}
		}
		return Secret{value: v}
	case hasLit:
		s, ok := lit.(string)
		if !ok {
			r.ps.add(p.with(key), "must be a string in quotes, not %s", typeName(lit))
			return Secret{}
		}
		v, err := expandEnv(s)
		if err != nil {
			r.ps.add(p.with(key), "%v", err)
			return Secret{}
		}
		if v == "" {
			r.ps.add(p.with(key), "is empty")
		}
		return Secret{value: v}
	}
	return Secret{}
}

// scheduleParser reads 5 fields, an optional leading seconds field,
// descriptors such as @daily and @every 1h, and CRON_TZ= prefixes.
var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a cron spec and rejects one that never fires.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("invalid schedule %q: %v; write five fields \"minute hour day-of-month month day-of-week\" such as \"0 9 * * *\", or @daily, or @every 12h", spec, err)
	}
	// robfig/cron gives up after five years without a match.
	ref := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(ref).IsZero() {
		return nil, fmt.Errorf("schedule %q never fires (no such date); check the day-of-month and month fields", spec)
	}
	return s, nil
}

// QuietHours is a daily window during which nothing is delivered. Start and
// End are minutes after midnight; the window may wrap past midnight. The
// zero value is no quiet hours.
type QuietHours struct {
	Start, End int
	Set        bool
}

// ParseQuietHours reads "22:00-08:00".
func ParseQuietHours(s string) (QuietHours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("invalid quiet hours %q; write a window such as \"22:00-08:00\"", s)
	}
	start, err1 := clock(strings.TrimSpace(a))
	end, err2 := clock(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return QuietHours{}, fmt.Errorf("invalid quiet hours %q; write a window such as \"22:00-08:00\" with 24-hour times", s)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("quiet hours %q start and end at the same time; leave quiet_hours out for none", s)
	}
	return QuietHours{Start: start, End: end, Set: true}, nil
}

func clock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return 0, fmt.Errorf("bad clock time")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad clock time")
	}
	return hh*60 + mm, nil
}

func (q QuietHours) String() string {
	if !q.Set {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}
