package config

// BarkSpec is Bark, the iOS push app: a device key, and the server (the
// public one, or your own bark-server), through nikoksr/notify's bark
// service.
type BarkSpec struct {
	DeviceKey Secret // the key the Bark app shows
	Server    string // https://api.day.app/ unless set
}

func init() { registerChannel("bark", func() ChannelSpec { return &BarkSpec{} }) }

func (*BarkSpec) keys() []string { return []string{"type", "device_key", "device_key_file", "server"} }

func (s *BarkSpec) read(r *reader, t map[string]any, p path) {
	s.DeviceKey = r.secret(t, p, "device_key")
	if !s.DeviceKey.IsSet() && !present(t, "device_key", "device_key_file") {
		r.ps.add(p, "a bark channel needs device_key = \"${BARK_DEVICE_KEY}\": the key the Bark app shows")
	}
	s.Server = "https://api.day.app/"
	if v, ok := r.str(t, p, "server"); ok {
		if _, ok := parseHTTPURL(v); !ok {
			r.ps.add(p.with("server"), "%q is not an http(s) URL such as \"https://bark.example.org\"", v)
		}
		s.Server = v
	}
}
