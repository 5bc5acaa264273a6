package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/rules"
)

func parse(t *testing.T, src string) (*Config, error) {
	t.Helper()
	return Parse("test.toml", []byte(src))
}

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := parse(t, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func TestExampleConfig(t *testing.T) {
	cfg, err := Load("../config.example.toml")
	if err != nil {
		t.Fatalf("the example config must be valid:\n%v", err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if cfg.Location.String() != "Europe/Berlin" || cfg.MaxPerRun != 3 || cfg.QuietHours.Set {
		t.Errorf("top level: zone %v, max_per_run %d, quiet %v", cfg.Location, cfg.MaxPerRun, cfg.QuietHours)
	}
	alice, ok := cfg.Lookup("alice-moreau")
	if !ok {
		t.Fatal("alice-moreau not found by her slug")
	}
	if alice.Settings.Every != (rules.Duration{Days: 14}) || alice.Settings.Cooldown != (rules.Duration{Days: 7}) {
		t.Errorf("alice inherits group close and defaults: %+v", alice.Settings)
	}
	if !alice.Dates.LastInteraction.Equal(time.Date(2026, 10, 20, 0, 0, 0, 0, berlin)) {
		t.Errorf("alice last interaction = %v; want midnight in Berlin", alice.Dates.LastInteraction)
	}
	if len(alice.Channels) != 1 || alice.Channels[0] != ConsoleChannel {
		t.Errorf("with no channels configured, reminders go to the console; got %v", alice.Channels)
	}
	mum, _ := cfg.Lookup("mum")
	if mum == nil || mum.Name != "Mum" || mum.Settings.Every != (rules.Duration{Days: 7}) || mum.Settings.Cooldown != (rules.Duration{Days: 3}) {
		t.Errorf("mum: %+v", mum)
	}
	if !mum.Dates.LastInteraction.Equal(time.Date(2026, 11, 26, 19, 30, 0, 0, berlin)) {
		t.Errorf("a local date-time is read in the zone: %v", mum.Dates.LastInteraction)
	}
	emil, _ := cfg.Lookup("emil")
	if emil.Settings.FollowUpAfter != (rules.Duration{Clock: 36 * time.Hour}) || emil.Settings.MaxUnanswered != 1 || emil.Settings.Every != (rules.Duration{Days: 90}) {
		t.Errorf("emil: %+v", emil.Settings)
	}
	farah, _ := cfg.Lookup("farah")
	if !farah.Settings.Every.IsZero() {
		t.Errorf("farah every = %v; want 0", farah.Settings.Every)
	}
	chris, _ := cfg.Lookup("chris")
	if !chris.Dates.Paused {
		t.Error("chris is paused")
	}
}

func TestInheritance(t *testing.T) {
	cfg := mustParse(t, `
[defaults]
every = "20d"
remind_again = "1d"
channels = ["a"]
[groups.g]
every = "10d"
channels = ["b"]
[channels.a]
type = "console"
[channels.b]
type = "desktop"
[[contact]]
name = "In Group"
group = "g"
[[contact]]
name = "Own"
group = "g"
every = "5d"
channels = ["a", "b"]
[[contact]]
name = "Plain"
`)
	tests := []struct {
		id       string
		every    int
		channels string
	}{
		{"in-group", 10, "b"},
		{"own", 5, "a,b"},
		{"plain", 20, "a"},
	}
	for _, tt := range tests {
		c, ok := cfg.Lookup(tt.id)
		if !ok {
			t.Fatalf("%s not found", tt.id)
		}
		if c.Settings.Every.Days != tt.every || strings.Join(c.Channels, ",") != tt.channels {
			t.Errorf("%s: every %v channels %v; want %dd %s", tt.id, c.Settings.Every, c.Channels, tt.every, tt.channels)
		}
		if c.Settings.RemindAgain.Days != 1 || c.Settings.MaxUnanswered != 2 || c.Settings.Cooldown.Days != 7 {
			t.Errorf("%s: defaults and built-ins not inherited: %+v", tt.id, c.Settings)
		}
	}
}

func TestChannelsDefaultToAllConfigured(t *testing.T) {
	cfg := mustParse(t, `
[channels.z]
type = "console"
[channels.a]
type = "desktop"
[[contact]]
name = "X"
`)
	if got := strings.Join(cfg.Contacts[0].Channels, ","); got != "a,z" {
		t.Errorf("channels = %s; want every configured channel, a,z", got)
	}
}

func TestDatesInConfiguredZone(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Asia/Tokyo", "UTC"} {
		cfg := mustParse(t, fmt.Sprintf(`
timezone = %q
[[contact]]
name = "A"
last_interaction = 2026-10-20
fallout = 2026-11-01T08:15:00
reached_out = [2026-11-02T10:00:00Z, 2026-11-03]
`, zone))
		loc, _ := time.LoadLocation(zone)
		c := cfg.Contacts[0]
		if want := time.Date(2026, 10, 20, 0, 0, 0, 0, loc); !c.Dates.LastInteraction.Equal(want) {
			t.Errorf("%s: last = %v; want %v", zone, c.Dates.LastInteraction, want)
		}
		if want := time.Date(2026, 11, 1, 8, 15, 0, 0, loc); !c.Dates.Fallout.Equal(want) {
			t.Errorf("%s: fallout = %v; want %v", zone, c.Dates.Fallout, want)
		}
		if want := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC); !c.Dates.ReachedOut[0].Equal(want) {
			t.Errorf("%s: an offset date-time keeps its instant: %v", zone, c.Dates.ReachedOut[0])
		}
		if c.Dates.ReachedOut[0].Location().String() != zone || c.Dates.LastInteraction.Location().String() != zone {
			t.Errorf("%s: times must be in the configured zone for day arithmetic", zone)
		}
	}
}

func TestIDs(t *testing.T) {
	cfg := mustParse(t, `
[[contact]]
name = "Alice  Moreau-Smith!"
[[contact]]
name = "Zoë"
[[contact]]
name = "Alice"
id = "al"
`)
	for _, id := range []string{"alice-moreau-smith", "zoë", "al"} {
		if _, ok := cfg.Lookup(id); !ok {
			t.Errorf("id %q not found", id)
		}
	}
}

// TestBadInput feeds each kind of mistake a person makes editing the file by
// hand and checks that the message says where and what.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // "line:col: key: fragment"
	}{
		{"syntax error", "timezone = \"Europe/Berlin\"\nschedule = \n", "2:12: invalid TOML: expected value"},
		{"unclosed string", "[[contact]]\nname = \"Alice\n", "2:"},
		{"misspelt top key", "timezon = \"UTC\"\n", `1:1: timezon: unknown key; did you mean "timezone"?`},
		{"unknown region", "timezone = \"UTC\"\nregion = \"UK\"\n", `2:1: region: "UK" is not a country's two-letter code such as "GB"`},
		{"misspelt contact key", "[[contact]]\nname = \"A\"\n  intrests = [\"x\"]\n", `3:3: contact[0] (A).intrests: unknown key; did you mean "interests"?`},
		{"misspelt defaults key", "[defaults]\nfolow_up_after = \"2d\"\n", `2:1: defaults.folow_up_after: unknown key; did you mean "follow_up_after"?`},
		{"unrelated key", "[defaults]\ncolour = \"red\"\n", "2:1: defaults.colour: unknown key; this table accepts every"},
		{"bad duration unit", "[defaults]\nevery = \"3x\"\n", `2:1: defaults.every: invalid duration "3x": unknown unit "x"; use h, d or w`},
		{"duration without unit", "[[contact]]\nname = \"A\"\ncooldown = \"7\"\n", `3:1: contact[0] (A).cooldown: invalid duration "7": missing unit`},
		{"duration as number", "[defaults]\nevery = 30\n", `2:1: defaults.every: a duration needs a unit and quotes: every = "30d"`},
		{"unknown zone", "timezone = \"Europe/Berln\"\n", `1:1: timezone: unknown time zone "Europe/Berln"; use an IANA name`},
		{"unknown group", "[groups.close]\n[[contact]]\nname = \"A\"\ngroup = \"clsoe\"\n", `4:1: contact[0] (A).group: unknown group "clsoe"; did you mean "close"?`},
		{"unknown channel", "[[contact]]\nname = \"A\"\nchannels = [\"phone\"]\n", `3:1: contact[0] (A).channels: unknown channel "phone"; define it with a [channels.phone] table`},
		{"email with a name", "[[contact]]\nname = \"A\"\nemail = [\"a@x.org\", \"Ana <ana@x.org>\"]\n", `3:1: contact[0] (A).email: "Ana <ana@x.org>" is not an email address`},
		{"email without @", "[[contact]]\nname = \"A\"\nemail = [\"ana.x.org\"]\n", `3:1: contact[0] (A).email: "ana.x.org" is not an email address`},
		{"email as a string", "[[contact]]\nname = \"A\"\nemail = \"a@x.org\"\n", `3:1: contact[0] (A).email: must be a list: email = ["a@x.org"]`},
		{"phone with letters", "[[contact]]\nname = \"A\"\nphone = [\"+49 30 1234567\", \"call me\"]\n", `3:1: contact[0] (A).phone: "call me" is not a phone number`},
		{"phone too short", "[[contact]]\nname = \"A\"\nphone = [\"12\"]\n", `3:1: contact[0] (A).phone: "12" is not a phone number`},
		{"birthday in the future", "[[contact]]\nname = \"A\"\nbirthday = 2099-04-12\n", `3:1: contact[0] (A).birthday: 2099-04-12 is after today`},
		{"no 30 February", "[[contact]]\nname = \"A\"\nbirthday = \"02-30\"\n", `3:1: contact[0] (A).birthday: "02-30" is not a day of the year (February has no day 30)`},
		{"no month 13", "[[contact]]\nname = \"A\"\nbirthday = \"--13-01\"\n", `3:1: contact[0] (A).birthday: "--13-01" is not a day of the year (there is no month 13)`},
		{"birthday in quotes", "[[contact]]\nname = \"A\"\nbirthday = \"1990-04-12\"\n", `3:1: contact[0] (A).birthday: write dates without quotes, as 1990-04-12`},
		{"birthday with a time", "[[contact]]\nname = \"A\"\nbirthday = 1990-04-12T10:00:00\n", `3:1: contact[0] (A).birthday: an occasion is a day`},
		{"bad other date", "[[contact]]\nname = \"A\"\n[contact.dates]\nanniversary = 2019-06-01\nwedding = \"06-31\"\n", `5:1: contact[0] (A).dates.wedding: "06-31" is not a day of the year (June has no day 31)`},
		{"notice too long", "[defaults]\noccasion_notice = \"400d\"\n", `2:1: defaults.occasion_notice: a notice of more than a year`},
		{"source type typo", "[sources.home]\ntype = \"maildr\"\n", `2:1: sources.home.type: unknown source type "maildr"; did you mean "maildir"?`},
		{"maildir without a path", "[sources.home]\ntype = \"maildir\"\n", `1:1: sources.home: a maildir source needs path`},
		{"source interval too short", "[sources.home]\ntype = \"maildir\"\npath = \"m\"\ninterval = \"1s\"\n", `4:1: sources.home.interval: 1s is too often; at least 10s`},
		{"source interval in days", "[sources.home]\ntype = \"maildir\"\npath = \"m\"\ninterval = \"1d\"\n", `4:1: sources.home.interval: "1d" is not a span such as "5m"`},
		{"source max_recipients 0", "[sources.home]\ntype = \"maildir\"\npath = \"m\"\nmax_recipients = 0\n", `4:1: sources.home.max_recipients: must be 1 or more, not 0`},
		{"source key typo", "[sources.home]\ntype = \"maildir\"\npath = \"m\"\nsnet = \"Sent\"\n", `4:1: sources.home.snet: unknown key; did you mean "sent"?`},
		{"webhook without url", "[channels.hook]\ntype = \"webhook\"\n", `1:1: channels.hook: a webhook channel needs url`},
		{"webhook GET", "[channels.hook]\ntype = \"webhook\"\nurl = \"https://x.example/h\"\nmethod = \"GET\"\n", `4:1: channels.hook.method: method must be POST, PUT or PATCH`},
		{"webhook xml", "[channels.hook]\ntype = \"webhook\"\nurl = \"https://x.example/h\"\ncontent_type = \"text/xml\"\n", `4:1: channels.hook.content_type: content_type must be "application/json" or "text/plain"`},
		{"webhook body field typo", "[channels.hook]\ntype = \"webhook\"\nurl = \"https://x.example/h\"\nbody = \"{{.Titel}}\"\n", `4:1: channels.hook.body: is not a usable template`},
		{"webhook url not http", "[channels.hook]\ntype = \"webhook\"\nurl = \"ftp://x.example/h\"\n", `3:1: channels.hook.url: is not an http(s) URL (its value is a secret and not shown)`},
		{"mattermost without auth", "[channels.mm]\ntype = \"mattermost\"\nurl = \"https://chat.example.org\"\nchannel = \"c\"\n", `1:1: channels.mm: a mattermost channel needs token`},
		{"mattermost both auths", "[channels.mm]\ntype = \"mattermost\"\nurl = \"https://chat.example.org\"\nchannel = \"c\"\ntoken = \"t\"\nlogin_id = \"me\"\npassword = \"p\"\n", `1:1: channels.mm: use either token or login_id with password, not both`},
		{"mattermost login without password", "[channels.mm]\ntype = \"mattermost\"\nurl = \"https://chat.example.org\"\nchannel = \"c\"\nlogin_id = \"me\"\n", `1:1: channels.mm: login_id and password go together`},
		{"telegram without chat", "[channels.tg]\ntype = \"telegram\"\ntoken = \"1:x\"\n", `1:1: channels.tg: a telegram channel needs chat_id`},
		{"telegram chat as a name", "[channels.tg]\ntype = \"telegram\"\ntoken = \"1:x\"\nchat_id = \"@me\"\n", `4:1: channels.tg.chat_id: must be`},
		{"discord without channel", "[channels.dc]\ntype = \"discord\"\ntoken = \"x\"\n", `1:1: channels.dc: a discord channel needs channel`},
		{"discord without token", "[channels.dc]\ntype = \"discord\"\nchannel = \"1\"\n", `1:1: channels.dc: a discord channel needs token`},
		{"pushover key shape", "[channels.po]\ntype = \"pushover\"\ntoken = \"short\"\nuser = \"uQiRzpo4DXghDmr9QzzfQu27cmVRsG\"\n", `3:1: channels.po.token: is not a Pushover key: 30 letters and digits`},
		{"pushover without user", "[channels.po]\ntype = \"pushover\"\ntoken = \"azGDORePK8gMaC0QOYAMyEEuzJnyUi\"\n", `1:1: channels.po: a pushover channel needs user`},
		{"bark without key", "[channels.bk]\ntype = \"bark\"\n", `1:1: channels.bk: a bark channel needs device_key`},
		{"bark server not http", "[channels.bk]\ntype = \"bark\"\ndevice_key = \"k\"\nserver = \"bark.example.org\"\n", `4:1: channels.bk.server: "bark.example.org" is not an http(s) URL`},
		{"msteams without url", "[channels.teams]\ntype = \"msteams\"\n", `1:1: channels.teams: an msteams channel needs webhook_url`},
		{"msteams over http", "[channels.teams]\ntype = \"msteams\"\nwebhook_url = \"http://x.example/w\"\n", `3:1: channels.teams.webhook_url: is not an https URL`},
		{"matrix room alias", "[channels.mx]\ntype = \"matrix\"\nhomeserver = \"https://matrix.example.org\"\nroom = \"#friends:example.org\"\naccess_token = \"t\"\n", `4:1: channels.mx.room: "#friends:example.org" is the room's address; give its id`},
		{"matrix room not an id", "[channels.mx]\ntype = \"matrix\"\nhomeserver = \"https://matrix.example.org\"\nroom = \"friends\"\naccess_token = \"t\"\n", `4:1: channels.mx.room: "friends" is not a room id`},
		{"matrix without token", "[channels.mx]\ntype = \"matrix\"\nhomeserver = \"https://matrix.example.org\"\nroom = \"!abc:example.org\"\n", `1:1: channels.mx: a matrix channel needs access_token`},
		{"matrix homeserver not a URL", "[channels.mx]\ntype = \"matrix\"\nhomeserver = \"matrix.example.org\"\nroom = \"!abc:example.org\"\naccess_token = \"t\"\n", `3:1: channels.mx.homeserver: a matrix channel needs homeserver = "https://matrix.example.org"`},
		{"rocketchat url with a path", "[channels.rc]\ntype = \"rocketchat\"\nurl = \"https://example.org/chat\"\nuser_id = \"u\"\ntoken = \"t\"\nchannel = \"#general\"\n", `3:1: channels.rc.url: "https://example.org/chat": give the server alone, without a path`},
		{"rocketchat without user_id", "[channels.rc]\ntype = \"rocketchat\"\nurl = \"https://chat.example.org\"\ntoken = \"t\"\nchannel = \"#general\"\n", `1:1: channels.rc: a rocketchat channel needs user_id`},
		{"rocketchat without channel", "[channels.rc]\ntype = \"rocketchat\"\nurl = \"https://chat.example.org\"\nuser_id = \"u\"\ntoken = \"t\"\n", `1:1: channels.rc: a rocketchat channel needs channel`},
		{"duplicate id", "[[contact]]\nname = \"Sam\"\n\n[[contact]]\nname = \"sam\"\n", `4:1: contact[1] (sam).id: duplicate id "sam": contact[0] (Sam) has it too`},
		{"duplicate explicit id", "[[contact]]\nname = \"A\"\nid = \"x\"\n[[contact]]\nname = \"B\"\nid = \"x\"\n", `6:1: contact[1] (B).id: duplicate id "x"`},
		{"impossible cron", "schedule = \"0 9 31 2 *\"\n", `1:1: schedule: schedule "0 9 31 2 *" never fires`},
		{"malformed cron", "schedule = \"0 9 *\"\n", `1:1: schedule: invalid schedule "0 9 *"`},
		{"cron out of range", "schedule = \"0 25 * * *\"\n", `1:1: schedule: invalid schedule "0 25 * * *"`},
		{"quoted date", "[[contact]]\nname = \"A\"\nlast_interaction = \"2026-11-20\"\n", `3:1: contact[0] (A).last_interaction: write dates without quotes`},
		{"date with dots", "[[contact]]\nname = \"A\"\nlast_interaction = 02.08.2026\n", `3:1: last_interaction: 02.08.2026 is not a date rekindle reads; write dates as 2026-08-02 (year-month-day), if you meant 2 August 2026`},
		{"date with slashes", "[[contact]]\nname = \"A\"\nfallout = 08/02/2026 # the party\n", `3:1: fallout: 08/02/2026 is not a date rekindle reads; write dates as 2026-08-02`},
		{"quoted date with slashes", "[[contact]]\nname = \"A\"\nlast_interaction = \"08/02/2026\"\n", `3:1: contact[0] (A).last_interaction: "08/02/2026" is not a date rekindle reads; write dates as 2026-08-02 (year-month-day), if you meant 2 August 2026`},
		{"quoted birthday with dots", "[[contact]]\nname = \"A\"\nbirthday = \"12.04.1990\"\n", `3:1: contact[0] (A).birthday: "12.04.1990" is not a date rekindle reads; write dates as 1990-04-12`},
		{"other date with dots", "[[contact]]\nname = \"A\"\n[contact.dates]\n\"moved to Lisbon\" = 1.3.2019\n", `4:1: moved to Lisbon: 1.3.2019 is not a date rekindle reads; write dates as 2019-03-01`},
		{"time without date", "[[contact]]\nname = \"A\"\nfallout = 10:00:00\n", `3:1: contact[0] (A).fallout: a time of day alone is not a date`},
		{"missing name", "[[contact]]\nnotes = \"x\"\n", `1:1: contact[0]: every contact needs a name`},
		{"single brackets", "[contact]\nname = \"A\"\n", `1:1: contact: you wrote [contact]; write [[contact]] (double brackets)`},
		{"contacts typo", "[[contacts]]\nname = \"A\"\n", `1:1: contacts: you wrote [[contacts]]; write [[contact]] (singular) above each person`},
		{"[contact] after [[contact]]", "timezone = \"UTC\"\n[[contact]]\nname = \"A\"\n\n[contact]\nname = \"B\"\n", `5:1: contact: you wrote [contact] after [[contact]]; write [[contact]] (double brackets)`},
		{"top-level channels list", "timezone = \"UTC\"\nchannels = [\"phone\"]\n", `2:1: channels: you wrote channels = [...] at the top, where [channels.NAME] tables define channels; to pick the channels everyone uses, write it under [defaults]: [defaults] channels = ["phone"]`},
		{"top-level channels list beside tables", "timezone = \"UTC\"\nchannels = [\"phone\"]\n\n[channels.phone]\ntype = \"console\"\n", `2:1: channels: you wrote channels = [...] at the top, and [channels.NAME] tables too`},
		{"quoted date", "[[contact]]\nname = \"A\"\nlast_interaction = \"2026-11-20\"\n", `3:1: contact[0] (A).last_interaction: write dates without quotes, as 2026-11-20, not "2026-11-20"`},
		{"bad quiet hours", "quiet_hours = \"22-8\"\n", `1:1: quiet_hours: invalid quiet hours "22-8"`},
		{"max_unanswered zero", "[defaults]\nmax_unanswered = 0\n", `2:1: defaults.max_unanswered: must be 1 or more`},
		{"negative max_per_run", "max_per_run = -1\n", `1:1: max_per_run: must be 0 (no limit) or more`},
		{"boolean as string", "[[contact]]\nname = \"A\"\npaused = \"yes\"\n", `3:1: contact[0] (A).paused: must be true or false`},
		{"interests as string", "[[contact]]\nname = \"A\"\ninterests = \"chess\"\n", `3:1: contact[0] (A).interests: must be a list: interests = ["chess"]`},
		{"unknown channel type", "[channels.p]\ntype = \"nfty\"\n", `2:1: channels.p.type: unknown channel type "nfty"; did you mean "ntfy"?`},
		{"channel without type", "[channels.p]\ntopic = \"x\"\n", `1:1: channels.p: needs a type`},
		{"ntfy without topic", "[channels.p]\ntype = \"ntfy\"\n", `1:1: channels.p: an ntfy channel needs a topic`},
		{"ntfy topic with an umlaut", "[channels.p]\ntype = \"ntfy\"\ntopic = \"reminders-für-mich\"\n", `3:1: channels.p.topic: "reminders-für-mich" is not a topic ntfy accepts`},
		{"ntfy topic of 65 characters", "[channels.p]\ntype = \"ntfy\"\ntopic = \"" + strings.Repeat("a", 65) + "\"\n", `3:1: channels.p.topic: "` + strings.Repeat("a", 65) + `" is not a topic ntfy accepts`},
		{"ntfy topic with a dot", "[channels.p]\ntype = \"ntfy\"\ntopic = \"my.topic\"\n", `3:1: channels.p.topic: "my.topic" is not a topic ntfy accepts`},
		{"key of another channel type", "[channels.p]\ntype = \"ntfy\"\ntopic = \"t\"\nhost = \"x\"\n", `4:1: channels.p.host: unknown key`},
		{"cleartext smtp off loopback", "[channels.m]\ntype = \"email\"\nhost = \"smtp.example.com\"\ntls = \"none\"\nfrom = \"a@b\"\nto = [\"a@b\"]\n", `4:1: channels.m.tls: tls = "none" sends the password in the clear`},
		{"slack with nothing", "[channels.s]\ntype = \"slack\"\n", `1:1: channels.s: a Slack channel needs webhook_url`},
		{"inline array of contacts with a string", "contact = [\"A\"]\n", `1:1: contact[0]: each contact must be a table`},
		{"dotted key in contact", "[[contact]]\nname = \"A\"\nx.y = 1\n", `3:1: contact[0] (A).x: unknown key`},
		{"position after multi-line array", "[[contact]]\nname = \"A\"\nreached_out = [\n  2026-11-01,\n  2026-11-02,\n]\nevry = \"2d\"\n", `7:1: contact[0] (A).evry: unknown key; did you mean "every"?`},
		{"position after multi-line string", "[[contact]]\nname = \"A\"\nnotes = \"\"\"\nevery = \"x\"\n\"\"\"\nevery = \"2q\"\n", `6:1: contact[0] (A).every: invalid duration`},
		{"template of an unknown kind", "[templates.chek_in]\ntitle = \"x\"\n", `1:1: templates.chek_in: unknown key; did you mean "check_in"?`},
		{"template part unknown", "[templates.check_in]\nbody = \"x\"\n", `2:1: templates.check_in.body: unknown key; this table accepts title, lead, opener`},
		{"listen not host:port", "listen = \"8785\"\n", `1:1: listen: "8785" is not host:port`},
		{"listen beyond loopback without a token", "listen = \"0.0.0.0:8785\"\n", `1:1: listen: listening beyond this machine needs api_token`},
		{"public_url without a token", "listen = \"127.0.0.1:8785\"\npublic_url = \"https://r.example.org\"\n", `2:1: public_url: links that leave the machine need api_token`},
		{"bad public_url", "listen = \"127.0.0.1:8785\"\npublic_url = \"r.example.org\"\napi_token = \"0123456789abcdef0\"\n", `2:1: public_url: "r.example.org" is not an http(s) URL`},
		{"short token", "listen = \"127.0.0.1:8785\"\napi_token = \"abc\"\n", `2:1: api_token: is too short`},
		{"token without listen", "api_token = \"0123456789abcdef0\"\n", `1:1: listen: public_url and api_token serve the HTTP server`},
		{"third contact", "[[contact]]\nname = \"A\"\n[[contact]]\nname = \"B\"\n[[contact]]\nname = \"C\"\nevery = \"1y\"\n", `7:1: contact[2] (C).every: invalid duration "1y"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.src)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v; want a *config.Error", err)
			}
			want := "test.toml:" + tt.want
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
			}
		})
	}
}

// TestEveryProblemInOnePass checks that one run reports all the mistakes of
// a file, in file order, not just the first.
func TestEveryProblemInOnePass(t *testing.T) {
	data, err := os.ReadFile("testdata/many-problems.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("testdata/many-problems.toml", data)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v; want a *config.Error", err)
	}
	golden := "testdata/many-problems.golden"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, []byte(err.Error()+"\n"), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if got := err.Error() + "\n"; got != string(want) {
		t.Errorf("problems differ from %s (UPDATE_GOLDEN=1 to rewrite):\n got:\n%s\nwant:\n%s", golden, got, want)
	}
	if len(ce.Problems) < 8 {
		t.Errorf("found %d problems; the file has at least 8", len(ce.Problems))
	}
	for i := 1; i < len(ce.Problems); i++ {
		if ce.Problems[i].Pos.Line < ce.Problems[i-1].Pos.Line {
			t.Errorf("problems are not in file order: %v before %v", ce.Problems[i-1], ce.Problems[i])
		}
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	os.WriteFile(file, []byte("file-secret-123\n"), 0o600)
	t.Setenv("REKINDLE_TEST_TOKEN", "env-secret-456")
	cfg := mustParse(t, fmt.Sprintf(`
[channels.phone]
type = "ntfy"
topic = "t"
token = "tk_${REKINDLE_TEST_TOKEN}"
[channels.mail]
type = "email"
host = "127.0.0.1"
tls = "none"
username = "me"
password_file = %q
from = "me@example.com"
to = ["me@example.com"]
`, file))
	phone, mail := cfg.Channels["phone"].Spec.(*NtfySpec), cfg.Channels["mail"].Spec.(*EmailSpec)
	if phone.Token.Reveal() != "tk_env-secret-456" {
		t.Errorf("token = %q", phone.Token.Reveal())
	}
	if mail.Password.Reveal() != "file-secret-123" || mail.Port != 25 {
		t.Errorf("password = %q, port %d", mail.Password.Reveal(), mail.Port)
	}

	// A secret cannot leak through formatting, logs or JSON.
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("channel", "token", phone.Token, "ch", phone)
	js, _ := json.Marshal(phone)
	for _, out := range []string{
		fmt.Sprint(phone.Token), fmt.Sprintf("%v %+v %#v %s %q", phone, phone, phone, phone.Token, phone.Token),
		logs.String(), string(js),
	} {
		if strings.Contains(out, "secret") {
			t.Errorf("secret leaked: %s", out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("no redaction marker in %s", out)
		}
	}
}

func TestSecretErrorsNeverShowValues(t *testing.T) {
	t.Setenv("REKINDLE_TEST_HOOK", "not a url but very-secret-value")
	_, err := parse(t, `
[channels.s]
type = "slack"
webhook_url = "${REKINDLE_TEST_HOOK}"
[channels.p]
type = "ntfy"
topic = "t"
token = "${REKINDLE_SURELY_UNSET_VAR}"
[channels.m]
type = "email"
host = "localhost"
password_file = "/nonexistent/pw"
username = "u"
from = "a@b"
to = ["a@b"]
`)
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{
		"channels.s.webhook_url: is not an http(s) URL (its value is a secret and not shown)",
		"channels.p.token: environment variable REKINDLE_SURELY_UNSET_VAR is not set",
		"channels.m.password_file: cannot read secret file",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "very-secret-value") {
		t.Errorf("secret value in the error:\n%s", msg)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("REKINDLE_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	if p, _ := Find("flag.toml"); p != "flag.toml" {
		t.Errorf("the flag wins: %q", p)
	}
	t.Setenv("REKINDLE_CONFIG", "/env.toml")
	if p, _ := Find(""); p != "/env.toml" {
		t.Errorf("then $REKINDLE_CONFIG: %q", p)
	}
	t.Setenv("REKINDLE_CONFIG", "")
	xdg := filepath.Join(dir, "rekindle", "config.toml")
	os.MkdirAll(filepath.Dir(xdg), 0o755)
	os.WriteFile(xdg, nil, 0o644)
	if p, _ := Find(""); p != xdg {
		t.Errorf("then XDG: %q", p)
	}
}

func TestQuietHours(t *testing.T) {
	q, err := ParseQuietHours("22:00-08:30")
	if err != nil || q.Start != 22*60 || q.End != 8*60+30 || q.String() != "22:00-08:30" {
		t.Errorf("got %+v, %v", q, err)
	}
	for _, bad := range []string{"", "22:00", "25:00-08:00", "22:00-22:00", "10:5-11:00", "ab:cd-08:00"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.toml")
	seeds = append(seeds, "../config.example.toml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("[[contact]]\nname = \"A\"\nreached_out = [\n2026-01-01,\n]\nevery = \"\"\"\nx\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without an error")
		}
		var ce *Error
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				if p.Pos.Line < 1 || p.Msg == "" {
					t.Fatalf("problem without a position or message: %+v", p)
				}
			}
		}
	})
}

// TestAmbiguousPersonListsAFew: a prefix that matches thousands names a
// few of them and the count, not all of them.
func TestAmbiguousPersonListsAFew(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "[[contact]]\nname = \"Sam %04d\"\n", i)
	}
	cfg, err := parse(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Resolve("sam")
	var pe *PersonError
	if !errors.As(err, &pe) || !pe.Ambiguous || len(pe.Candidates) != maxCandidates || pe.Matches != 5000 {
		t.Fatalf("Resolve(sam) = %v; want an ambiguity with %d candidates of 5000", err, maxCandidates)
	}
	if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "and 4992 others") {
		t.Errorf("message of %d bytes: %s", len(msg), msg)
	}
	if p, err := cfg.Resolve("Sam 0042"); err != nil || p.ID != "sam-0042" {
		t.Errorf("Resolve(Sam 0042) = %v, %v", p, err)
	}
}

func TestEmailAndPhone(t *testing.T) {
	cfg := mustParse(t, "[[contact]]\nname = \"Ana\"\nemail = [\"ana@example.org\", \"Ana.B+work@Example.ORG\"]\nphone = [\"+49 (30) 123-4567\", \"030/1234567\"]\n")
	c := cfg.Contacts[0]
	if strings.Join(c.Emails, " ") != "ana@example.org Ana.B+work@Example.ORG" || strings.Join(c.Phones, " ") != "+49 (30) 123-4567 030/1234567" {
		t.Errorf("emails %q phones %q", c.Emails, c.Phones)
	}
}

func TestOccasions(t *testing.T) {
	cfg := mustParse(t, `[defaults]
occasion_notice = "2d"
[groups.family]
occasion_notice = "0"
[[contact]]
name = "Ana"
birthday = 1990-04-12
[contact.dates]
anniversary = 2019-06-01
"moved to Lisbon" = "--09-15"

[[contact]]
name = "Mum"
group = "family"
birthday = "02-29"
`)
	ana, mum := cfg.Contacts[0], cfg.Contacts[1]
	var got []string
	for _, o := range ana.Dates.Occasions {
		got = append(got, o.Name+"="+o.String())
	}
	if strings.Join(got, ",") != "birthday=1990-04-12,anniversary=2019-06-01,moved to Lisbon=--09-15" {
		t.Errorf("ana's occasions: %v", got)
	}
	if ana.Settings.OccasionNotice != (rules.Duration{Days: 2}) || !mum.Settings.OccasionNotice.IsZero() {
		t.Errorf("notice: ana %v, mum %v", ana.Settings.OccasionNotice, mum.Settings.OccasionNotice)
	}
	if o := mum.Dates.Occasions; len(o) != 1 || o[0].Year != 0 || o[0].Month != time.February || o[0].Day != 29 {
		t.Errorf("mum: %+v", o)
	}
	if d := mustParse(t, "").Defaults.OccasionNotice; d != (rules.Duration{Days: 1}) {
		t.Errorf("default notice %v; want 1d", d)
	}
}

// TestExampleChannels: the example config's commented channels, with the
// comment marks taken off, are a valid config with one channel of every
// type.
func TestExampleChannels(t *testing.T) {
	b, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "# [channels.") {
			in = true
		}
		if in && !strings.HasPrefix(line, "#") {
			break
		}
		if in {
			block = append(block, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
		}
	}
	password := filepath.Join(t.TempDir(), "smtp-password")
	os.WriteFile(password, []byte("pw\n"), 0o600)
	text := strings.ReplaceAll(strings.Join(block, "\n"), "/etc/rekindle/smtp-password", password)
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)\}`).FindAllStringSubmatch(text, -1) {
		v := "secret-" + strings.ToLower(m[1])
		switch {
		case strings.HasPrefix(m[1], "PUSHOVER"):
			v = strings.Repeat("a1", 15)
		case strings.HasSuffix(m[1], "URL"):
			v = "https://hooks.example.org/" + v
		}
		t.Setenv(m[1], v)
	}
	cfg, err := Parse("channels.toml", []byte(text))
	if err != nil {
		t.Fatalf("the example's channels:\n%v\n%s", err, text)
	}
	for _, typ := range ChannelTypes() {
		found := false
		for _, ch := range cfg.Channels {
			found = found || ch.Type == typ
		}
		if !found {
			t.Errorf("the example config shows no %s channel", typ)
		}
	}
}

// The example config's commented sources parse, and show every type.
func TestExampleSources(t *testing.T) {
	b, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "# [sources.") {
			in = true
		}
		if in && !strings.HasPrefix(line, "#") {
			in = false
			continue
		}
		if in {
			block = append(block, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
		}
	}
	text := strings.Join(block, "\n")
	dir := t.TempDir()
	for name, content := range map[string]string{"imap-password": "pw", "carddav-password": "pw", "caldav-password": "pw", "calendar-url": "https://calendar.example.org/private-0123/basic.ics"} {
		os.WriteFile(filepath.Join(dir, name), []byte(content+"\n"), 0o600)
		text = strings.ReplaceAll(text, "/etc/rekindle/"+name, filepath.Join(dir, name))
	}
	cfg, err := Parse("sources.toml", []byte(text))
	if err != nil {
		t.Fatalf("the example's sources:\n%v\n%s", err, text)
	}
	for _, typ := range SourceTypes() {
		found := false
		for _, s := range cfg.Sources {
			found = found || s.Type == typ
		}
		if !found {
			t.Errorf("the example config shows no %s source", typ)
		}
	}
}
