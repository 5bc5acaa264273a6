package notifytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/gregdel/pushover"
)

// Types are the channel types that All serves, one server each.
var Types = []string{"webhook", "mattermost", "telegram", "discord", "pushover", "bark", "msteams", "matrix", "rocketchat"}

// teamsHost is the Workflows host of the msteams channel that Keys gives.
const teamsHost = "prod-42.westeurope.logic.azure.com"

// All is one server of each of Types, started together, with the seams
// that reach them set: discordgo's and gregdel/pushover's package
// variables (put back when the test ends), and Client, the HTTP client
// the channels must be given (notifier.Options.HTTPClient), for Telegram
// and Teams.
type All struct {
	Hook       *Hook
	Mattermost *Mattermost
	Telegram   *Telegram
	Discord    *Discord
	Pushover   *Pushover
	Bark       *Bark
	Teams      *Teams
	Matrix     *Matrix
	RocketChat *RocketChat
	Client     *http.Client
}

// StartAll starts the servers; they stop when t ends. Tests that use it
// must not run in parallel with others that set the same seams.
func StartAll(t testing.TB) *All {
	a := &All{Hook: NewHook(), Mattermost: NewMattermost(), Telegram: NewTelegram(), Discord: NewDiscord(),
		Pushover: NewPushover(), Bark: NewBark(), Teams: NewTeams(), Matrix: NewMatrix(), RocketChat: NewRocketChat()}
	for _, c := range []interface{ Close() }{a.Hook, a.Mattermost, a.Telegram, a.Discord, a.Pushover, a.Bark, a.Teams, a.Matrix, a.RocketChat} {
		t.Cleanup(c.Close)
	}
	savedDiscord, savedPushover := discordgo.EndpointChannels, pushover.APIEndpoint
	discordgo.EndpointChannels, pushover.APIEndpoint = a.Discord.Endpoint(), a.Pushover.Endpoint()
	t.Cleanup(func() { discordgo.EndpointChannels, pushover.APIEndpoint = savedDiscord, savedPushover })
	a.Client = RedirectHosts(map[string]*httptest.Server{"api.telegram.org": a.Telegram.Server, teamsHost: a.Teams.Server})
	return a
}

// Keys are the keys of a [channels.NAME] table of type typ that reaches
// its server, one per line, without the type.
func (a *All) Keys(typ string) string {
	switch typ {
	case "webhook":
		return fmt.Sprintf("url = %q", a.Hook.URL+"/hook")
	case "mattermost":
		return fmt.Sprintf("url = %q\nchannel = %q\ntoken = %q", a.Mattermost.URL, a.Mattermost.Channel, a.Mattermost.BotToken)
	case "telegram":
		return fmt.Sprintf("token = %q\nchat_id = %s", a.Telegram.Token, a.Telegram.Chat)
	case "discord":
		return fmt.Sprintf("token = %q\nchannel = %q", a.Discord.Token, a.Discord.Channel)
	case "pushover":
		return fmt.Sprintf("token = %q\nuser = %q", a.Pushover.App, a.Pushover.User)
	case "bark":
		return fmt.Sprintf("device_key = %q\nserver = %q", a.Bark.DeviceKey, a.Bark.URL)
	case "msteams":
		return fmt.Sprintf("webhook_url = \"https://%s/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=%s\"", teamsHost, a.Teams.Sig)
	case "matrix":
		return fmt.Sprintf("homeserver = %q\nroom = %q\naccess_token = %q", a.Matrix.URL, a.Matrix.Room, a.Matrix.Token)
	case "rocketchat":
		return fmt.Sprintf("url = %q\nuser_id = %q\ntoken = %q\nchannel = \"#general\"", a.RocketChat.URL, a.RocketChat.UserID, a.RocketChat.Token)
	}
	return ""
}

// Received is what the server of type typ received, a message each, as
// text: the body (indented when JSON), with the title or the parse mode
// first where the service takes them apart.
func (a *All) Received(typ string) []string {
	var out []string
	indent := func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	}
	switch typ {
	case "webhook":
		for _, r := range a.Hook.Got() {
			var body bytes.Buffer
			if json.Indent(&body, r.Body, "", "  ") != nil {
				body.Reset()
				body.Write(r.Body)
			}
			out = append(out, body.String())
		}
	case "mattermost":
		for _, p := range a.Mattermost.Posts() {
			out = append(out, p["message"])
		}
	case "telegram":
		for _, f := range a.Telegram.Sent() {
			out = append(out, "parse_mode: "+f.Get("parse_mode")+"\n\n"+f.Get("text"))
		}
	case "discord":
		out = a.Discord.Posts()
	case "pushover":
		for _, f := range a.Pushover.Got() {
			out = append(out, "title: "+f.Get("title")+"\n\n"+f.Get("message"))
		}
	case "bark":
		for _, p := range a.Bark.Pushes() {
			out = append(out, fmt.Sprintf("title: %v\n\n%v", p["title"], p["body"]))
		}
	case "msteams":
		for _, c := range a.Teams.Cards() {
			out = append(out, indent(c))
		}
	case "matrix":
		for _, m := range a.Matrix.Messages() {
			out = append(out, m.Body)
		}
	case "rocketchat":
		for _, m := range a.RocketChat.Messages() {
			out = append(out, m.Text)
		}
	}
	return out
}
