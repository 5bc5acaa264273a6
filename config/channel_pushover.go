package config

// PushoverSpec is Pushover: an application's token and the user (or
// group) key to notify, through gregdel/pushover.
type PushoverSpec struct {
	Token Secret // the application's API token
	User  Secret // the user or group key
}

func init() { registerChannel("pushover", func() ChannelSpec { return &PushoverSpec{} }) }

func (*PushoverSpec) keys() []string {
	return []string{"type", "token", "token_file", "user", "user_file"}
}

// pushoverKey is what Pushover's tokens and keys look like.
var pushoverKey = lazyRegexp(`^[A-Za-z0-9]{30}$`)

func (s *PushoverSpec) read(r *reader, t map[string]any, p path) {
	s.Token = r.secret(t, p, "token")
	s.User = r.secret(t, p, "user")
	for _, k := range []struct {
		key  string
		v    Secret
		what string
	}{{"token", s.Token, "the application's API token"}, {"user", s.User, "your user key (or a group key)"}} {
		switch {
		case !k.v.IsSet() && !present(t, k.key, k.key+"_file"):
			r.ps.add(p, "a pushover channel needs %s = \"...\": %s", k.key, k.what)
		case k.v.IsSet() && !pushoverKey().MatchString(k.v.Reveal()):
			r.ps.add(p.with(k.key), "is not a Pushover key: 30 letters and digits (its value is a secret and not shown)")
		}
	}
}
