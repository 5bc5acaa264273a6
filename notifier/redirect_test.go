package notifier

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/gregdel/pushover"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

// TestNoCredentialFollowsADowngrade: every channel type that carries a
// credential, pointed at a TLS server that redirects to plain http on the
// same host, sends nothing there (net/http would resend Authorization on
// the same host, custom headers and a 307's body anywhere, and the path
// wherever the Location points), and fails for good with an error naming
// where the redirect went, without the secret.
func TestNoCredentialFollowsADowngrade(t *testing.T) {
	dg := notifytest.NewDowngrade()
	defer dg.Close()
	trusting := dg.TLS.Client() // trusts the test server's certificate
	// The libraries that use http.DefaultTransport reach the server
	// through the guard rekindle puts around it, over a transport that
	// trusts the certificate.
	guard := http.DefaultTransport.(*redirectGuard)
	saved := guard.next
	guard.next = trusting.Transport
	defer func() { guard.next = saved }()
	savedDiscord, savedPushover := discordgo.EndpointChannels, pushover.APIEndpoint
	discordgo.EndpointChannels, pushover.APIEndpoint = dg.TLS.URL+"/api/v10/channels/", dg.TLS.URL+"/1"
	defer func() { discordgo.EndpointChannels, pushover.APIEndpoint = savedDiscord, savedPushover }()
	viaTLS := notifytest.RedirectHostsVia(trusting.Transport, map[string]*httptest.Server{
		"api.telegram.org": dg.TLS, "prod-42.westeurope.logic.azure.com": dg.TLS})

	u := dg.TLS.URL
	for _, tc := range []struct {
		name, toml, secret string
		opts               Options
	}{
		{"ntfy token", fmt.Sprintf("type = \"ntfy\"\nurl = %q\ntopic = \"t\"\ntoken = \"tk_ntfytoken123456\"", u), "tk_ntfytoken123456", Options{HTTPClient: trusting}},
		{"ntfy login", fmt.Sprintf("type = \"ntfy\"\nurl = %q\ntopic = \"t\"\nusername = \"me\"\npassword = \"ntfy-password-1\"", u), "ntfy-password-1", Options{HTTPClient: trusting}},
		{"webhook bearer", fmt.Sprintf("type = \"webhook\"\nurl = %q\n[channels.c.headers]\nAuthorization = \"Bearer hook-token-123456\"", u+"/in"), "hook-token-123456", Options{HTTPClient: trusting}},
		{"webhook custom header", fmt.Sprintf("type = \"webhook\"\nurl = %q\n[channels.c.headers]\nX-Api-Key = \"hook-api-key-123456\"", u+"/in"), "hook-api-key-123456", Options{HTTPClient: trusting}},
		{"webhook user:password", fmt.Sprintf("type = \"webhook\"\nurl = %q", strings.Replace(u, "https://", "https://me:hook-url-pass-1@", 1)+"/in"), "hook-url-pass-1", Options{HTTPClient: trusting}},
		{"slack webhook", fmt.Sprintf("type = \"slack\"\nwebhook_url = %q", u+"/services/T0/B0/slacksecretpath123"), "slacksecretpath123", Options{HTTPClient: trusting}},
		{"slack bot token", "type = \"slack\"\ntoken = \"xoxb-slack-bot-token\"\nchannel = \"#r\"", "xoxb-slack-bot-token", Options{HTTPClient: trusting, SlackAPIURL: u + "/api/"}},
		{"matrix", fmt.Sprintf("type = \"matrix\"\nhomeserver = %q\nroom = \"!r:example.org\"\naccess_token = \"syt_matrix_token_1\"", u), "syt_matrix_token_1", Options{HTTPClient: trusting}},
		{"mattermost token", fmt.Sprintf("type = \"mattermost\"\nurl = %q\nchannel = \"c\"\ntoken = \"mm-bot-token-123456\"", u), "mm-bot-token-123456", Options{}},
		{"mattermost login", fmt.Sprintf("type = \"mattermost\"\nurl = %q\nchannel = \"c\"\nlogin_id = \"me\"\npassword = \"mm-password-123\"", u), "mm-password-123", Options{}},
		{"discord", "type = \"discord\"\ntoken = \"discord-bot-token-1\"\nchannel = \"1\"", "discord-bot-token-1", Options{}},
		{"rocketchat", fmt.Sprintf("type = \"rocketchat\"\nurl = %q\nuser_id = \"uid\"\ntoken = \"rc-auth-token-1234\"\nchannel = \"#g\"", u), "rc-auth-token-1234", Options{}},
		{"pushover", "type = \"pushover\"\ntoken = \"" + strings.Repeat("a1", 15) + "\"\nuser = \"" + strings.Repeat("u2", 15) + "\"", strings.Repeat("a1", 15), Options{}},
		{"bark", fmt.Sprintf("type = \"bark\"\ndevice_key = \"bark-device-key-1\"\nserver = %q", u), "bark-device-key-1", Options{}},
		{"telegram", "type = \"telegram\"\ntoken = \"123456:AAE-tg-Zq9xYw\"\nchat_id = 1", "123456:AAE-tg-Zq9xYw", Options{HTTPClient: viaTLS}},
		{"msteams", "type = \"msteams\"\nwebhook_url = \"https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=teams-signature-1\"", "teams-signature-1", Options{HTTPClient: viaTLS}},
	} {
		// 307 keeps the body, where a library lets net/http send it
		// again; 302 is followed by every library, as a GET.
		for _, code := range []int{http.StatusTemporaryRedirect, http.StatusFound} {
			t.Run(fmt.Sprintf("%s %d", tc.name, code), func(t *testing.T) {
				dg.Status(code)
				before := len(dg.Got())
				ch := channel(t, "[channels.c]\n"+tc.toml+"\n", tc.opts)
				err := ch.Deliver(context.Background(), sample)
				for _, r := range dg.Got()[before:] {
					t.Errorf("the plain listener got %s %s with Authorization %q, X-Auth-Token %q, body of %d bytes",
						r.Method, r.URL, r.Header.Get("Authorization"), r.Header.Get("X-Auth-Token"), len(r.Body))
				}
				// A library that follows no redirect (Teams'), or
				// whose 307 net/http cannot repeat, gets the redirect
				// itself, which is as permanent.
				want := "redirected to " + dg.Plain.URL
				if answered := fmt.Sprintf("server answered %d", code); err != nil && strings.Contains(err.Error(), answered) {
					want = answered
				}
				e := failure(t, err, false, want)
				shows(t, e, tc.secret)
			})
		}
	}
}

// TestSameOrigin: which redirects are followed.
func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"https://ntfy.example.org/", "https://ntfy.example.org/v1/", true},
		{"https://ntfy.example.org/", "https://NTFY.example.org/x", true},
		{"http://ntfy.example.org/", "https://ntfy.example.org/", true}, // up to https
		{"https://ntfy.example.org/", "http://ntfy.example.org/", false},
		{"https://ntfy.example.org/", "https://ntfy.example.org:8443/", false},
		{"https://ntfy.example.org/", "https://evil.example.org/", false},
		{"https://example.org/", "https://sub.example.org/", false},
	} {
		from, _ := url.Parse(tc.from)
		to, _ := url.Parse(tc.to)
		if got := sameOrigin(from, to); got != tc.ok {
			t.Errorf("%s -> %s: followed %v; want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}
