package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces each ${NAME} with the environment variable's value. A
// variable that is not set is an error naming it; the value is never shown.
func expandEnv(s string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(ref string) string {
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
