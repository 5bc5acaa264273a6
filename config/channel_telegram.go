package config

// TelegramSpec is a Telegram chat that a bot writes to, through nikoksr/notify's
// telegram service.
type TelegramSpec struct {
	Token  Secret // the bot's token, from @BotFather
	ChatID int64  // the chat: yours with the bot, or a group's (negative)
}

func init() { registerChannel("telegram", func() ChannelSpec { return &TelegramSpec{} }) }

func (*TelegramSpec) keys() []string { return []string{"type", "token", "token_file", "chat_id"} }

func (s *TelegramSpec) read(r *reader, t map[string]any, p path) {
	s.Token = r.secret(t, p, "token")
	if !s.Token.IsSet() && !present(t, "token", "token_file") {
		r.ps.add(p, "a telegram channel needs token = \"${TELEGRAM_BOT_TOKEN}\": the bot's token from @BotFather")
	}
	if n, ok := r.int(t, p, "chat_id"); ok && n != 0 {
		s.ChatID = int64(n)
	} else if _, present := t["chat_id"]; !present || ok {
		r.ps.add(p, "a telegram channel needs chat_id = 123456789: the id of your chat with the bot (or a group's, which is negative)")
	}
}
