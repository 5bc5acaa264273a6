package config

import (
	"strings"
)

// MatrixSpec is a Matrix room that an account of yours (a bot's, or your
// own) writes to, through mautrix.
type MatrixSpec struct {
	Homeserver  string // the client API's base URL: https://matrix.example.org
	Room        string // the room's id: !abc123:example.org
	AccessToken Secret // the account's access token
}

func init() { registerChannel("matrix", func() ChannelSpec { return &MatrixSpec{} }) }

func (*MatrixSpec) keys() []string {
	return []string{"type", "homeserver", "room", "access_token", "access_token_file"}
}

func (s *MatrixSpec) read(r *reader, t map[string]any, p path) {
	s.Homeserver, _ = r.str(t, p, "homeserver")
	if _, ok := parseHTTPURL(s.Homeserver); !ok {
		r.ps.add(p.with("homeserver"), "a matrix channel needs homeserver = \"https://matrix.example.org\": the server your account is on")
	}
	s.Room, _ = r.str(t, p, "room")
	switch {
	case s.Room == "":
		r.ps.add(p, "a matrix channel needs room = \"!abc123:example.org\": the room's id (in Element: Room settings, Advanced)")
	case strings.HasPrefix(s.Room, "#"):
		r.ps.add(p.with("room"), "%q is the room's address; give its id, which starts with \"!\" (in Element: Room settings, Advanced)", s.Room)
	case !strings.HasPrefix(s.Room, "!") || len(s.Room) == 1 || strings.ContainsAny(s.Room, " /"):
		// Rooms of room version 12 on have ids without ":server".
		r.ps.add(p.with("room"), "%q is not a room id such as \"!abc123:example.org\"", s.Room)
	}
	s.AccessToken = r.secret(t, p, "access_token")
	if !s.AccessToken.IsSet() && !present(t, "access_token", "access_token_file") {
		r.ps.add(p, "a matrix channel needs access_token = \"${MATRIX_TOKEN}\": the account's access token (in Element: Settings, Help & About, Advanced)")
	}
}
