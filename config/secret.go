package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/rekindle/rekindle/internal/redact"
)

// Secret holds a credential. It prints, formats, logs and marshals as
// "[redacted]", so a secret cannot leak through a log line, an error or a
// JSON document by accident; Reveal is the one way to read it.
type Secret struct {
	value string
}

const redacted = "[redacted]"

// Reveal returns the secret itself, for the one place that sends it.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string                { return redacted }
func (s Secret) GoString() string              { return redacted }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }
func (s Secret) LogValue() slog.Value          { return slog.StringValue(redacted) }
func (s Secret) MarshalText() ([]byte, error)  { return []byte(redacted), nil }
func (s Secret) MarshalJSON() ([]byte, error)  { return []byte(`"` + redacted + `"`), nil }
func (s *Secret) UnmarshalText(_ []byte) error {
	return fmt.Errorf("secrets are read by config.Load only")
}

var envRef = lazyRegexp(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces each ${NAME} with the environment variable's value. A
// variable that is not set is an error naming it; the value is never shown.
func expandEnv(s string) (string, error) {
	var missing []string
	out := envRef().ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// secretPath is where a *_file setting points. An absolute path is taken as
// written. A relative one names a credential: under systemd's
// LoadCredential= it is read from $CREDENTIALS_DIRECTORY, where the service
// finds it whatever user it runs as; elsewhere (the command line) from the
// config file's directory, where LoadCredential= copied it from.
func secretPath(name, configDir string) string {
	if filepath.IsAbs(name) {
		return name
	}
	if d := os.Getenv("CREDENTIALS_DIRECTORY"); d != "" {
		return filepath.Join(d, name)
	}
	return filepath.Join(configDir, name)
}

// readSecretFile reads a secret from a file, dropping one trailing newline
// as editors and `echo` leave it.
func readSecretFile(name string) (string, error) {
	b, err := readLimited(name, MaxSecretSize, "secret file")
	if err != nil {
		// The path is not a secret; the content is never part of the error.
		return "", fmt.Errorf("cannot read secret file: %v", err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("secret file %s is empty", name)
	}
	return s, nil
}

// ReadSecret reads a secret from a file when it is needed rather than when
// the config is loaded: an OAuth2 access token that a helper renews every
// hour. The same rules as for *_file apply.
func ReadSecret(path string) (Secret, error) {
	v, err := readSecretFile(path)
	return Secret{value: v}, err
}

// Redactor cuts every secret of the config out of text, in every form it
// travels in (see package redact): the api_token, each channel's and each
// source's, a password also as the login it makes with its user name
// (username, login_id), a URL also as the Basic pair of its user:password,
// and an IMAP source's OAuth2 token as read from token_file when the text
// is cut. It is what stands between rekindle and its log, its output, the
// state file and the failure notices sent to other channels.
func (c *Config) Redactor() *redact.Redactor {
	r := redact.New(c.APIToken.value)
	for _, name := range c.ChannelNames() {
		addSecrets(r, c.Channels[name].Spec)
	}
	for _, name := range c.SourceNames() {
		// A type whose secrets travel in more forms than its Secret
		// fields (an IMAP login, a token file) says how to cut them.
		if s, ok := c.Sources[name].Spec.(interface{ Redactor() *redact.Redactor }); ok {
			r.Merge(s.Redactor())
			continue
		}
		addSecrets(r, c.Sources[name].Spec)
	}
	return r
}

// addSecrets adds every Secret of a channel's or a source's settings,
// found by their type: a new type's secrets are known without a word
// here.
func addSecrets(r *redact.Redactor, spec any) {
	v := reflect.Indirect(reflect.ValueOf(spec))
	if v.Kind() != reflect.Struct {
		return
	}
	user := ""
	for _, name := range []string{"Username", "LoginID"} {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
			user = f.String()
		}
	}
	secretType := reflect.TypeFor[Secret]()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == secretType:
			s := f.Interface().(Secret)
			r.Add(s.value)
			if user != "" {
				r.AddLogin(user, s.value)
			}
		case f.Kind() == reflect.String:
			// A server's URL written with user:password@ (ntfy's url,
			// Mattermost's) carries a login in a setting that is not
			// a secret: Go's client sends it as a Basic header.
			if u, err := url.Parse(f.String()); err == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok {
					r.AddLogin(u.User.Username(), pw)
				}
			}
		case f.Kind() == reflect.Map && f.Type().Elem() == secretType:
			// Header values: "Bearer TOKEN" is also cut as TOKEN
			// alone, which a server may echo without its scheme.
			for _, k := range f.MapKeys() {
				v := f.MapIndex(k).Interface().(Secret).value
				r.Add(v)
				if words := strings.Fields(v); len(words) > 1 {
					r.Add(words[len(words)-1])
				}
			}
		}
	}
}

// Redactor cuts the source's secrets out of text: the password, also as
// the login it makes with username, or the OAuth2 token as token_file
// holds it when the text is cut. It is what mailbox puts between a
// server's words about a login and an error.
func (s *IMAPSpec) Redactor() *redact.Redactor {
	r := redact.New()
	addSecrets(r, s)
	if s.Auth != "password" {
		r.AddFile(s.TokenFile, s.Username)
	}
	return r
}
