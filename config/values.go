package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/rekindle/rekindle/rules"
)

// This file reads single values of the decoded document (strings, numbers,
// lists, durations, dates, secrets), each with a problem at its key when
// it is wrong.

// present reports whether any of the keys is in t.
func present(t map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := t[k]; ok {
			return true
		}
	}
	return false
}

// parseHTTPURL parses s, which must be an http or https URL with a host.
func parseHTTPURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	return u, err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (r *reader) httpURL(s string, p path) {
	if _, ok := parseHTTPURL(s); !ok {
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
		if len(p) == 0 && k == "contacts" {
			r.ps.add(p.with(k), "you wrote [[contacts]]; write [[contact]] (singular) above each person")
			continue
		}
		r.ps.addUnknown(p.with(k), known)
	}
}

// unknownKey says that key is not one of known, with the likely one.
func unknownKey(key string, known []string) string {
	if s := Suggest(key, known); s != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", s)
	}
	return "unknown key; this table accepts " + strings.Join(known, ", ")
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
			if advice, ok := dateAdvice(s); ok {
				r.ps.add(p.with(key), "%q is not a date rekindle reads; %s", s, advice)
			} else {
				r.ps.add(p.with(key), "write dates without quotes, as 2026-11-20, not %q", s)
			}
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
