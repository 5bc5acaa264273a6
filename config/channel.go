package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Channel is a [channels.NAME] table: its name, its type, and the settings
// of that type.
type Channel struct {
	Name string
	Type string      // ntfy, email, slack, webhook, mattermost, telegram, discord, pushover, bark, msteams, desktop or console
	Spec ChannelSpec // *NtfySpec, *EmailSpec, *SlackSpec, *WebhookSpec, *DesktopSpec or *ConsoleSpec
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

// channelSpecs makes an empty spec for each channel type; each type's file
// registers itself. channelTypes lists them in order, for messages.
var (
	channelSpecs = map[string]func() ChannelSpec{}
	channelTypes []string
)

// registerChannel adds a channel type: its name in `type = "..."` and how
// to make its empty settings.
func registerChannel(typ string, spec func() ChannelSpec) {
	channelSpecs[typ] = spec
	channelTypes = append(channelTypes, typ)
	sort.Strings(channelTypes)
}

func init() {
	registerChannel("desktop", func() ChannelSpec { return &DesktopSpec{} })
	registerChannel("console", func() ChannelSpec { return &ConsoleSpec{} })
}

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
	typ, ok := r.typeOf(t, p, "channel", channelTypes)
	if !ok {
		return nil
	}
	spec := channelSpecs[typ]()
	keys := spec.keys()
	r.keys(t, p, set(keys), keys)
	spec.read(r, t, p)
	return &Channel{Name: name, Type: typ, Spec: spec}
}

// typeOf reads the type = "..." of a channel or source table: one of
// types, with a suggestion for a likely typo.
func (r *reader) typeOf(t map[string]any, p path, what string, types []string) (string, bool) {
	typ, ok := r.str(t, p, "type")
	if !ok {
		if _, present := t["type"]; !present {
			r.ps.add(p, "needs a type: one of %s", strings.Join(types, ", "))
		}
		return "", false
	}
	if !slices.Contains(types, typ) {
		msg := fmt.Sprintf("unknown %s type %q; use one of %s", what, typ, strings.Join(types, ", "))
		if s := Suggest(typ, types); s != "" {
			msg = fmt.Sprintf("unknown %s type %q; did you mean %q?", what, typ, s)
		}
		r.ps.add(p.with("type"), "%s", msg)
		return "", false
	}
	return typ, true
}

// ChannelTypes lists the channel types, sorted.
func ChannelTypes() []string { return append([]string(nil), channelTypes...) }
