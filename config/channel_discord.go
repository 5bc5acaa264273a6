package config

// DiscordSpec is a Discord channel that a bot posts to, through
// discordgo.
type DiscordSpec struct {
	Token   Secret // the bot's token (Developer Portal, Bot)
	Channel string // the channel's id (Developer Mode: Copy Channel ID)
}

func init() { registerChannel("discord", func() ChannelSpec { return &DiscordSpec{} }) }

func (*DiscordSpec) keys() []string { return []string{"type", "token", "token_file", "channel"} }

func (s *DiscordSpec) read(r *reader, t map[string]any, p path) {
	s.Token = r.secret(t, p, "token")
	if !s.Token.IsSet() && !present(t, "token", "token_file") {
		r.ps.add(p, "a discord channel needs token = \"${DISCORD_BOT_TOKEN}\": the bot's token")
	}
	s.Channel, _ = r.str(t, p, "channel")
	if s.Channel == "" {
		r.ps.add(p, "a discord channel needs channel = \"...\": the channel's id (Developer Mode, Copy Channel ID)")
	}
}
