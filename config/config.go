// Package config reads rekindle's TOML config: the user's file, which
// rekindle reads and never writes.
//
// Loading is one strict pass: the file is decoded by BurntSushi/toml into
// plain values, then every table is checked against its schema (unknown keys
// are errors, with a suggestion when one is a likely typo), settings are
// resolved contact → group → [defaults] → built-in defaults, and secrets are
// expanded. Every problem is collected and reported at once, each with its
// file:line:column and key; a secret's value never appears in a message.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/rekindle/rekindle/rules"
)

// Defaults for settings the file leaves out.
const (
	DefaultSchedule  = "0 9 * * *"
	DefaultMaxPerRun = 5
	DefaultNewPerDay = 3
)

// Config is a loaded and validated config file.
type Config struct {
	File     string
	Location *time.Location
	Timezone string // the IANA name as written; "" means the system's zone
	// Region is the country phone numbers without a country code are read
	// in (two letters, upper case: "GB"); "" for the time zone's.
	Region       string
	ScheduleSpec string
	Schedule     cron.Schedule
	QuietHours   QuietHours
	MaxPerRun    int // people reminded about per run at most; 0: no limit
	// NewPerDay is how many people with no last_interaction come out of
	// the queue of new people each day at most; 0: no limit.
	NewPerDay int
	Digest    bool

	Listen         string // the HTTP server's address; "" for none
	ListenLoopback bool   // Listen is on a loopback address
	PublicURL      string // the server as seen from outside, for links; "" for none
	APIToken       Secret // bearer token for the API
	Defaults       rules.Settings
	Groups         map[string]Group
	Channels       map[string]*Channel
	Sources        map[string]*Source           // [sources.NAME]: mailboxes to learn from
	Templates      map[string]map[string]string // [templates.KIND] title, lead, opener
	Contacts       []Contact
	Include        []string // the include patterns, from the config's directory
	Included       []string // the files they matched, in the order read

	ids   map[string]int
	parts []part // where the contacts came from, in order; none: all from File
	// The people of the address books (AddCards): the source of each, and
	// how many contacts the files hold before them.
	from            map[string]string
	files           int
	defaultChannels []string
}

// Group is a [groups.NAME] table after inheritance from [defaults].
type Group struct {
	Name     string
	Settings rules.Settings
	Channels []string
}

// Contact is one [[contact]] with its settings resolved.
type Contact struct {
	ID        string
	Name      string
	Called    string // called = "...": the name you use with them; "" when not set
	Group     string
	Emails    []string // email = [...]: addresses, as written
	Phones    []string // phone = [...]: numbers, as written
	Notes     string
	Interests []string
	Channels  []string // channel names, resolved; never empty
	Settings  rules.Settings
	Dates     rules.Contact
}

// Lookup finds a contact by id.
func (c *Config) Lookup(id string) (*Contact, bool) {
	i, ok := c.ids[id]
	if !ok {
		return nil, false
	}
	return &c.Contacts[i], true
}

// Route is the channels a person's reminders go through; false when the
// config has no such person (any more).
func (c *Config) Route(id string) ([]string, bool) {
	p, ok := c.Lookup(id)
	if !ok {
		return nil, false
	}
	return p.Channels, true
}

// ChannelNames returns the configured channel names in order.
func (c *Config) ChannelNames() []string {
	names := make([]string, 0, len(c.Channels))
	for n := range c.Channels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrNotFound is returned by Find when no config file exists in any of the
// places searched.
var ErrNotFound = errors.New("config: no config file found")

// Find returns the config path to use: the flag, then $REKINDLE_CONFIG, then
// $XDG_CONFIG_HOME/rekindle/config.toml (~/.config by default), then
// /etc/rekindle/config.toml. An explicit path is returned even when it does
// not exist, so that reading it reports the real error.
func Find(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := os.Getenv("REKINDLE_CONFIG"); p != "" {
		return p, nil
	}
	var tried []string
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		if home, err := os.UserHomeDir(); err == nil {
			xdg = home + "/.config"
		}
	}
	if xdg != "" {
		tried = append(tried, xdg+"/rekindle/config.toml")
	}
	tried = append(tried, "/etc/rekindle/config.toml")
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w (looked in %s; pass --config or set REKINDLE_CONFIG)", ErrNotFound, strings.Join(tried, ", "))
}

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) {
	data, err := readLimited(path, MaxConfigSize, "config file")
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parseText(path, data, ownText(data))
}

// ownText is a file's bytes, just read and never written after, as a
// string: the text the decoder reads is the same bytes, not a copy of them
// (13 MB at 100,000 people). The decoder keeps no part of it: it decodes
// a copy of its own.
func ownText(data []byte) string {
	return unsafe.String(unsafe.SliceData(data), len(data))
}

// Parse validates a config document; file names it in messages. The files
// it includes are read from the disk.
func Parse(file string, data []byte) (*Config, error) {
	return parseText(file, data, string(data))
}

// parseText is Parse of data, which text holds as a string.
func parseText(file string, data []byte, text string) (*Config, error) {
	cuts, err := scan(file, text)
	if err != nil {
		return nil, err
	}
	// A large contact list is read as it is decoded, piece by piece
	// (splitPieces); when a piece fails, all of it is read again from the
	// whole file, decoded as one, which also places the errors.
	if s := splitPieces(text, cuts); s != nil {
		head, ok := s.head()
		if ok {
			r := &reader{dir: filepath.Dir(file), file: file, now: time.Now(), rest: s}
			cfg := r.document(head)
			if !r.restFailed {
				s.close()
				return r.done(cfg, data)
			}
		}
		s.close()
	}
	doc, err := decodeWhole(file, text)
	if err != nil {
		return nil, err
	}
	r := &reader{dir: filepath.Dir(file), file: file, now: time.Now()}
	return r.done(r.document(doc), data)
}

// done returns cfg, read from data, or the problems found in it and in
// the files it includes.
func (r *reader) done(cfg *Config, data []byte) (*Config, error) {
	var errs []error
	if !r.ps.empty() {
		errs = append(errs, r.ps.resolve(r.file, data, r.names()))
	}
	if errs = append(errs, r.fileErrs...); len(errs) > 0 {
		if len(errs) == 1 {
			return nil, errs[0]
		}
		return nil, errors.Join(errs...)
	}
	cfg.File = r.file
	return cfg, nil
}

// scan checks a file's size and nesting (scanTOML) before it is decoded,
// and returns where it may be cut into pieces.
func scan(file string, text string) (cuts []int, err error) {
	if len(text) > MaxConfigSize {
		return nil, fmt.Errorf("%s: %d bytes; a config file may have at most %d", file, len(text), MaxConfigSize)
	}
	cuts, p, ok := scanTOML(text, MaxNesting)
	if !ok {
		return nil, &Error{File: file, Problems: []Problem{{Pos: p.Pos, Msg: p.Msg}}}
	}
	return cuts, nil
}

// decode turns a file's TOML into plain values, on several cores when it
// is large, within the size and nesting limits.
func decode(file string, text string) (map[string]any, error) {
	cuts, err := scan(file, text)
	if err != nil {
		return nil, err
	}
	if doc, ok := decodeSplit(text, cuts); ok {
		return doc, nil
	}
	return decodeWhole(file, text)
}

// decodeWhole decodes a file as one.
func decodeWhole(file string, text string) (map[string]any, error) {
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		return nil, decodeError(file, text, err)
	}
	return doc, nil
}

// decodeError turns a TOML syntax error into a positioned Problem.
func decodeError(file, text string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.Usage != "" {
			msg += "; " + strings.TrimSpace(pe.Usage)
		}
		pos := Position{Line: max(pe.Position.Line, 1), Col: max(pe.Position.Col, 1)}
		if p, ok := explain(text, pe.Message); ok {
			return &Error{File: file, Problems: []Problem{p}}
		}
		if p, ok := explainDate(text, pe.Position.Line); ok {
			return &Error{File: file, Problems: []Problem{p}}
		}
		return &Error{File: file, Problems: []Problem{{Pos: pos, Msg: "invalid TOML: " + msg}}}
	}
	return fmt.Errorf("%s: %w", file, err)
}

var (
	topChannels   = lazyRegexp(`(?m)^[ \t]*channels[ \t]*=`)
	singleContact = lazyRegexp(`(?m)^[ \t]*\[[ \t]*contact[ \t]*\][ \t]*(#.*)?$`)
)

// explain turns the TOML errors that common slips cause into what was
// written and what to write instead, at the line of the slip (which is not
// always where the parser stopped).
func explain(text, msg string) (Problem, bool) {
	lineOf := func(re *regexp.Regexp) (Position, bool) {
		loc := re.FindStringIndex(text)
		if loc == nil {
			return Position{}, false
		}
		return Position{Line: strings.Count(text[:loc[0]], "\n") + 1, Col: 1}, true
	}
	switch {
	case strings.Contains(msg, "'channels' was already created"), strings.Contains(msg, "'channels' has already been defined"):
		if pos, ok := lineOf(topChannels()); ok {
			return Problem{Pos: pos, Key: "channels", Msg: "you wrote channels = [...] at the top, and [channels.NAME] tables too; " +
				"the tables define channels, and the list of channels everyone uses goes under [defaults]: [defaults] channels = [...]"}, true
		}
	case strings.Contains(msg, "'contact' has already been defined"), strings.Contains(msg, "'contact' was already created"):
		if pos, ok := lineOf(singleContact()); ok {
			return Problem{Pos: pos, Key: "contact", Msg: "you wrote [contact] after [[contact]]; write [[contact]] (double brackets) above each person"}, true
		}
	}
	return Problem{}, false
}

// Warnings lists what is allowed but most likely a typo: dates in the
// future (2027 for 2026), which the rules ignore until they come, and an
// include pattern that matches no file. It returns nil when there is
// nothing to say; positions are looked up only then, in each file.
func (c *Config) Warnings(now time.Time) error {
	type found struct {
		ps    problems
		names map[string]string
	}
	byFile := map[string]*found{}
	var order []string
	in := func(file string) *found {
		f, ok := byFile[file]
		if !ok {
			f = &found{names: map[string]string{}}
			byFile[file] = f
			order = append(order, file)
		}
		return f
	}
	for _, pat := range c.Include {
		if m, _ := filepath.Glob(pat); len(m) == 0 {
			in(c.File).ps.add(path{"include"}, "%s matches no file yet", pat)
		}
	}
	later := func(i int, key string, t time.Time) {
		if t.After(now) {
			file, k := c.source(i)
			f := in(file)
			at := path{"contact", strconv.Itoa(k)}
			f.names[at.index()] = c.Contacts[i].Name
			f.ps.add(at.with(key), "%s is after today; rekindle ignores it until then (a typo for another year?)", t.Format("2006-01-02"))
		}
	}
	for i := range c.Contacts {
		d := &c.Contacts[i].Dates
		later(i, "last_interaction", d.LastInteraction)
		later(i, "fallout", d.Fallout)
		for _, r := range d.ReachedOut {
			later(i, "reached_out", r)
		}
	}
	var errs []error
	for _, file := range order {
		f := byFile[file]
		data, _ := readLimited(file, MaxConfigSize, "config file")
		errs = append(errs, f.ps.resolve(file, data, f.names))
	}
	return errors.Join(errs...)
}
