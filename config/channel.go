package config

import (
	"fmt"
	"sort"
	"strings"
)

// Channel is a [channels.NAME] table: its name, its type, and the settings
// of that type.
type Channel struct {
	Name string
	Type string      // ntfy, email, slack, desktop or console
	Spec ChannelSpec // *NtfySpec, *EmailSpec, *SlackSpec, *DesktopSpec or *ConsoleSpec
}

// ChannelSpec is the settings of one channel type. Each type reads and
// checks its own keys; a new type is one file here (and one in notifier)
// and an entry in channelSpecs.
type ChannelSpec interface {
	// keys lists the keys its table accepts, "type" included.
	keys() []string
	// read reads the table t at p, reporting problems to r.
	read(r *reader, t map[string]any, p path)
}

// channelSpecs makes an empty spec for each channel type.
var channelSpecs = map[string]func() ChannelSpec{
	"ntfy":    func() ChannelSpec { return &NtfySpec{} },
	"email":   func() ChannelSpec { return &EmailSpec{} },
	"slack":   func() ChannelSpec { return &SlackSpec{} },
	"desktop": func() ChannelSpec { return &DesktopSpec{} },
	"console": func() ChannelSpec { return &ConsoleSpec{} },
}

// channelTypes are the channel types, in the order messages list them.
var channelTypes = []string{"ntfy", "email", "slack", "desktop", "console"}

// ConsoleChannel is the channel every config has: standard output.
const ConsoleChannel = "console"

// DesktopSpec is a desktop channel: it has no settings.
type DesktopSpec struct{}

func (*DesktopSpec) keys() []string                     { return []string{"type"} }
func (*DesktopSpec) read(*reader, map[string]any, path) {}

// ConsoleSpec is a console channel: it has no settings.
type ConsoleSpec struct{}

func (*ConsoleSpec) keys() []string                     { return []string{"type"} }
func (*ConsoleSpec) read(*reader, map[string]any, path) {}

// channel reads a [channels.NAME] table: its type, then the type's own
// keys and settings.
func (r *reader) channel(name string, t map[string]any, p path) *Channel {
	typ, ok := r.str(t, p, "type")
	if !ok {
		if _, present := t["type"]; !present {
			r.ps.add(p, "needs a type: one of %s", strings.Join(channelTypes, ", "))
		}
		return nil
	}
	newSpec, known := channelSpecs[typ]
	if !known {
		msg := fmt.Sprintf("unknown channel type %q; use one of %s", typ, strings.Join(channelTypes, ", "))
		if s := Suggest(typ, channelTypes); s != "" {
			msg = fmt.Sprintf("unknown channel type %q; did you mean %q?", typ, s)
		}
		r.ps.add(p.with("type"), "%s", msg)
		return nil
	}
	spec := newSpec()
	keys := spec.keys()
	r.keys(t, p, set(keys), keys)
	spec.read(r, t, p)
	return &Channel{Name: name, Type: typ, Spec: spec}
}

func init() {
	// Every type in channelSpecs is listed in channelTypes, and back.
	var a, b []string
	for k := range channelSpecs {
		a = append(a, k)
	}
	b = append(b, channelTypes...)
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		panic("config: channelSpecs and channelTypes disagree")
	}
}
