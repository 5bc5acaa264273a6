package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRedactorKnowsEverySecret: the config's Redactor cuts every secret
// of every channel type in the example config (each given as ${VAR}), the
// api_token, the logins (ntfy's and Mattermost's user and password as a
// Basic pair, an IMAP password), a webhook URL's user:password, and an
// IMAP source's OAuth2 token as its file holds it now.
func TestRedactorKnowsEverySecret(t *testing.T) {
	b, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		in = in || strings.HasPrefix(line, "# [channels.")
		if in && !strings.HasPrefix(line, "#") {
			break
		}
		if in {
			block = append(block, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
		}
	}
	dir := t.TempDir()
	smtp := filepath.Join(dir, "smtp-password")
	os.WriteFile(smtp, []byte("smtp-file-password\n"), 0o600)
	token := filepath.Join(dir, "imap-token")
	os.WriteFile(token, []byte("imap-oauth-token-one\n"), 0o600)
	text := strings.ReplaceAll(strings.Join(block, "\n"), "/etc/rekindle/smtp-password", smtp)
	secrets := []string{"smtp-file-password"}
	// The variables of the channels as configured (not those in a comment).
	for _, m := range regexp.MustCompile(`(?m)^[^#\n]*\$\{([A-Z_]+)\}`).FindAllStringSubmatch(text, -1) {
		v := "secret-" + strings.ToLower(m[1])
		switch {
		case strings.HasPrefix(m[1], "PUSHOVER"):
			v = strings.Repeat("b2", 15)
		case strings.HasSuffix(m[1], "URL"):
			v = "https://hooks.example.org/" + v
		}
		t.Setenv(m[1], v)
		secrets = append(secrets, v)
	}
	text = `listen = "127.0.0.1:0"
api_token = "an-api-token-of-sixteen"
` + text + `
[channels.ntfy2]
type = "ntfy"
topic = "t"
username = "phone-user"
password = "ntfy-password"

[channels.ntfy3]
type = "ntfy"
url = "https://phone:ntfy-url-password@ntfy.example.org"
topic = "t"

[channels.mm2]
type = "mattermost"
url = "https://chat.example.org"
channel = "c"
login_id = "me@example.org"
password = "mm<password>"

[channels.hook2]
type = "webhook"
url = "https://hookuser:hook-url-password@hooks.example.org/in"

[sources.imap1]
type = "imap"
host = "imap.example.org"
username = "me@example.org"
password = "imap-password"

[sources.imap2]
type = "imap"
host = "imap.example.org"
username = "me@example.org"
auth = "xoauth2"
token_file = "` + token + `"
`
	secrets = append(secrets, "an-api-token-of-sixteen", "ntfy-password", "hook-url-password", "imap-password", "imap-oauth-token-one")
	cfg, err := Parse(filepath.Join(dir, "config.toml"), []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	r := cfg.Redactor()
	for _, s := range secrets {
		if got := r.String("x " + s + " y"); got != "x [redacted] y" {
			t.Errorf("%q became %q", s, got)
		}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for echo, want := range map[string]string{
		"Basic " + b64("phone-user:ntfy-password"):                                          "Basic [redacted]",
		"Basic " + b64("phone:ntfy-url-password"):                                           "Basic [redacted]",
		"Basic " + b64("hookuser:hook-url-password"):                                        "Basic [redacted]",
		`{"password":"mm\u003cpassword\u003e"}`:                                             `{"password":"[redacted]"}`,
		"a1 LOGIN me@example.org imap-password":                                             "a1 LOGIN me@example.org [redacted]",
		"XOAUTH2 " + b64("user=me@example.org\x01auth=Bearer imap-oauth-token-one\x01\x01"): "XOAUTH2 [redacted]",
		"Authorization: Bearer secret-hook_token":                                           "Authorization: [redacted]",
		"token secret-hook_token is wrong":                                                  "token [redacted] is wrong",
	} {
		if got := r.String(echo); got != want {
			t.Errorf("%q became %q; want %q", echo, got, want)
		}
	}
	// The helper renews the token: the new one is cut too.
	os.WriteFile(token, []byte("imap-oauth-token-two-longer"), 0o600)
	if got := r.String("Bearer imap-oauth-token-two-longer"); strings.Contains(got, "token-two") {
		t.Errorf("the renewed token: %q", got)
	}
}
