package config

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/rekindle/rekindle/rules"
)

// The keys each table accepts.
var (
	topKeys       = []string{"timezone", "region", "schedule", "quiet_hours", "max_per_run", "new_people_per_day", "digest", "listen", "public_url", "api_token", "api_token_file", "defaults", "groups", "channels", "templates", "sources", "include", "contact"}
	templateKinds = func() []string { // one [templates.KIND] per reminder kind
		out := make([]string, len(rules.Kinds))
		for i, k := range rules.Kinds {
			out[i] = string(k)
		}
		return out
	}()
	templateParts = []string{"title", "lead", "opener"}
	settingKeys   = []string{"every", "cooldown", "follow_up_after", "max_unanswered", "remind_again", "max_reminders", "occasion_notice", "channels"}
	contactKeys   = append([]string{"name", "called", "id", "group", "email", "phone", "birthday", "dates", "last_interaction", "fallout", "reached_out", "interests", "notes", "paused"}, settingKeys...)
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
)

// reader walks the decoded document and collects problems.
type reader struct {
	ps           problems
	loc          *time.Location
	now          time.Time // a birthday must not be after it
	contactNames []string  // the names of the contacts of the file being read
	dir          string    // the config file's directory: relative paths start there
	file         string    // the file being read
	fileErrs     []error   // the problems of included files, each resolved in its file

	// rest, when the document read is the head of a large file, holds the
	// file's contacts, in pieces; restFailed tells that one of them failed,
	// and what was read must be read again from the whole file.
	rest       *pieces
	restFailed bool
}

// names maps each contact of the file being read to its name, for
// messages.
func (r *reader) names() map[string]string {
	names := map[string]string{}
	for i, n := range r.contactNames {
		if n != "" {
			names[path{"contact", fmt.Sprint(i)}.index()] = n
		}
	}
	return names
}

func (r *reader) document(doc map[string]any) *Config {
	cfg := &Config{
		File:         r.file,
		ScheduleSpec: DefaultSchedule,
		MaxPerRun:    DefaultMaxPerRun,
		NewPerDay:    DefaultNewPerDay,
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
	if v, ok := r.str(doc, nil, "region"); ok {
		cfg.Region = region(r, v)
	}

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
	if n, ok := r.int(doc, nil, "new_people_per_day"); ok {
		if n < 0 {
			r.ps.add(path{"new_people_per_day"}, "must be 0 (no limit) or more, not %d", n)
		}
		cfg.NewPerDay = n
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

	cfg.Sources = map[string]*Source{}
	r.subtables(doc, "sources", func(name string, t map[string]any, p path) {
		if s := r.source(name, t, p); s != nil {
			cfg.Sources[name] = s
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

	cfg.defaultChannels = defaultChannels // an address book's people have them too
	r.contacts(doc, cfg, defaultChannels)
	if r.restFailed {
		return cfg
	}
	r.include(doc, cfg, defaultChannels)
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
		if _, ok := parseHTTPURL(u); !ok {
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
