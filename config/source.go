package config

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rekindle/rekindle/rules"
)

// Source is a [sources.NAME] table: a mailbox rekindle reads to learn who
// wrote to whom, or a calendar to learn whom the user met; its type and
// that type's settings.
type Source struct {
	Name string
	Type string     // one of SourceTypes: imap, maildir, caldav, ics, carddav, phonebackup
	Spec SourceSpec // the type's settings: *IMAPSpec, *MaildirSpec, *CalDAVSpec, *ICSSpec, *PhoneBackupSpec, ...
	// Backfill is how far back the first sync reads.
	Backfill rules.Duration
	// MaxRecipients: a message to more people than this is not a
	// conversation with any of them, and is ignored.
	MaxRecipients int
	// Interval is how often the daemon reads the source (a Maildir is also
	// read as soon as a message arrives in it).
	Interval time.Duration
}

// Defaults of every source.
const (
	DefaultBackfillDays  = 180
	DefaultMaxRecipients = 5
	DefaultInterval      = 5 * time.Minute
	MinInterval          = 10 * time.Second
)

// SourceSpec is the settings of one source type, which read and check
// themselves, as ChannelSpec does. A new type is one file here that
// registers itself (registerSource) and one in mailbox that does the
// same; TestEverySourceTypeOpens and TestExampleSources fail when either,
// or its example in config.example.toml, is missing.
type SourceSpec interface {
	keys() []string // the type's own keys
	read(r *reader, t map[string]any, p path)
}

var (
	sourceSpecs = map[string]func() SourceSpec{}
	sourceTypes []string
)

func registerSource(typ string, spec func() SourceSpec) {
	sourceSpecs[typ] = spec
	sourceTypes = append(sourceTypes, typ)
	sort.Strings(sourceTypes)
}

// sourceKeys are the keys every source takes.
var sourceKeys = []string{"type", "backfill", "max_recipients", "interval"}

// source reads a [sources.NAME] table.
func (r *reader) source(name string, t map[string]any, p path) *Source {
	typ, ok := r.typeOf(t, p, "source", sourceTypes)
	if !ok {
		return nil
	}
	spec := sourceSpecs[typ]()
	keys := append(append([]string(nil), sourceKeys...), spec.keys()...)
	r.keys(t, p, set(keys), keys)
	s := &Source{Name: name, Type: typ, Spec: spec, Backfill: rules.Duration{Days: DefaultBackfillDays},
		MaxRecipients: DefaultMaxRecipients, Interval: DefaultInterval}
	if v, ok := r.str(t, p, "interval"); ok {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			r.ps.add(p.with("interval"), "%q is not a span such as \"5m\", \"30s\" or \"1h\"", v)
		case d < MinInterval:
			r.ps.add(p.with("interval"), "%s is too often; at least %s", d, MinInterval)
		default:
			s.Interval = d
		}
	}
	if d := r.duration(t, p, "backfill"); d != nil {
		s.Backfill = *d
	}
	if n, ok := r.int(t, p, "max_recipients"); ok {
		if n < 1 {
			r.ps.add(p.with("max_recipients"), "must be 1 or more, not %d", n)
		}
		s.MaxRecipients = n
	}
	spec.read(r, t, p)
	return s
}

// phoneFolders reads a mail source's phone = ["SMS", "Call log"]: the
// folders where SMS Backup+ keeps texts and calls, each named once.
// Without the key no folder of the phone's is read: a mailbox's other
// folders are the user's to name.
func (r *reader) phoneFolders(t map[string]any, p path) []string {
	names, _ := r.strings(t, p, "phone")
	var out []string
	for _, n := range names {
		switch {
		case strings.TrimSpace(n) == "":
			r.ps.add(p.with("phone"), "a folder's name is empty; SMS Backup+'s folders are \"SMS\" and \"Call log\" unless you chose others")
		case slices.Contains(out, n):
			r.ps.add(p.with("phone"), "%q is named twice", n)
		default:
			out = append(out, n)
		}
	}
	return out
}

// callReader is a source type's settings that can read calls and texts:
// readsCalls says whether these do (a mail source only with phone
// folders named).
type callReader interface{ readsCalls() bool }

func (*PhoneBackupSpec) readsCalls() bool { return true }
func (s *IMAPSpec) readsCalls() bool      { return len(s.Phone) > 0 }
func (s *MaildirSpec) readsCalls() bool   { return len(s.Phone) > 0 }

// LearnsCalls tells whether calls and texts are learned at all: from a
// source that reads them, or from the phone's automation (the API, with
// listen set). Without any, people's numbers match nothing.
func (c *Config) LearnsCalls() bool {
	if c.Listen != "" {
		return true
	}
	for _, src := range c.Sources {
		if r, ok := src.Spec.(callReader); ok && r.readsCalls() {
			return true
		}
	}
	return false
}

// SourceNames returns the configured source names in order.
func (c *Config) SourceNames() []string {
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SourceTypes lists the source types, sorted.
func SourceTypes() []string { return append([]string(nil), sourceTypes...) }
