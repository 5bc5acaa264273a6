// Command mailgen writes what bench/sync.sh syncs: a Maildir of N
// messages with the header blocks real mail carries (Received lines, a
// DKIM signature, Authentication-Results, MIME fields), a tenth of them
// from lists and bulk senders, the rest from and to a thousand people,
// half of whom are in the config it writes beside:
//
//	mailgen -n 10000 -dir /tmp/x   # /tmp/x/config.toml, /tmp/x/mail/{INBOX,Sent}
//
// With -dovecot the same messages are laid out as Dovecot's Maildir++:
// the inbox at the root, the sent folder in .Sent. The messages are
// dated in the 150 days before now (inside the default backfill) and are
// the same for the same -seed.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "messages")
	dir := flag.String("dir", "", "where to write config.toml and mail/")
	dovecot := flag.String("dovecot", "", "also write the messages as a Dovecot Maildir++ here")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: mailgen -n N -dir DIR [-dovecot MAILDIR]")
		os.Exit(2)
	}
	if err := write(*dir, *dovecot, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mailgen:", err)
		os.Exit(1)
	}
}

const people = 1000 // correspondents; the even ones are in the config

func address(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf("friend.%d@gmail.com", i)
	case 1:
		return fmt.Sprintf("p%d@example.org", i)
	case 2:
		return fmt.Sprintf("Person%d@mail.example.net", i)
	}
	return fmt.Sprintf("someone-%d@example.com", i)
}

func write(dir, dovecot string, n int, seed uint64) error {
	var cfg strings.Builder
	cfg.WriteString("timezone = \"UTC\"\n[sources.home]\ntype = \"maildir\"\npath = \"mail\"\n\n")
	for i := 0; i < people; i += 2 {
		fmt.Fprintf(&cfg, "[[contact]]\nname = \"Person %d\"\nemail = [%q]\nlast_interaction = 2026-01-01\n\n", i, address(i))
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	roots := map[string]string{"INBOX": filepath.Join(dir, "mail", "INBOX"), "Sent": filepath.Join(dir, "mail", "Sent")}
	var dove map[string]string
	if dovecot != "" {
		dove = map[string]string{"INBOX": dovecot, "Sent": filepath.Join(dovecot, ".Sent")}
	}
	for _, m := range []map[string]string{roots, dove} {
		for _, root := range m {
			for _, sub := range []string{"cur", "new", "tmp"} {
				if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
					return err
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(seed, seed))
	now := time.Now().UTC()
	for k := 0; k < n; k++ {
		folder := "INBOX"
		if k%10 >= 7 {
			folder = "Sent"
		}
		at := now.Add(-time.Duration(r.Int64N(int64(150 * 24 * time.Hour))))
		msg := message(r, k, folder, at)
		name := fmt.Sprintf("%d.M%dP%d.bench:2,S", at.Unix(), k, 4242)
		for _, m := range []map[string]string{roots, dove} {
			if m == nil {
				continue
			}
			p := filepath.Join(m[folder], "cur", name)
			if err := os.WriteFile(p, msg, 0o644); err != nil {
				return err
			}
			os.Chtimes(p, at, at)
		}
	}
	return nil
}

const me = "me@home.example"

// message is one message with a realistic header block and a short body.
func message(r *rand.Rand, k int, folder string, at time.Time) []byte {
	var b strings.Builder
	h := func(name, v string) { b.WriteString(name + ": " + v + "\r\n") }
	other := r.IntN(people)
	from, to := address(other), me
	if folder == "Sent" {
		from, to = me, address(other)
	}
	domain := from[strings.IndexByte(from, '@')+1:]
	if folder == "INBOX" {
		h("Return-Path", "<"+from+">")
		h("Delivered-To", me)
		for i := 0; i < 3; i++ {
			h("Received", fmt.Sprintf("from mx%d.%s (mx%d.%s [192.0.2.%d])\r\n\tby mail.home.example (Postfix) with ESMTPS id %X\r\n\tfor <%s>; %s",
				i, domain, i, domain, r.IntN(250), r.Uint32(), me, at.Add(-time.Duration(i)*time.Second).Format(time.RFC1123Z)))
		}
		h("Authentication-Results", fmt.Sprintf("mail.home.example;\r\n\tdkim=pass (2048-bit key) header.d=%s header.i=@%s header.b=%08x;\r\n\tspf=pass (mail.home.example: domain of %s designates 192.0.2.1 as permitted sender) smtp.mailfrom=%s;\r\n\tdmarc=pass (p=NONE sp=NONE dis=NONE) header.from=%s", domain, domain, r.Uint32(), from, from, domain))
		h("X-Spam-Status", fmt.Sprintf("No, score=%.1f required=5.0 tests=DKIM_SIGNED,DKIM_VALID,SPF_PASS autolearn=ham", r.Float64()*3-1))
	}
	h("DKIM-Signature", fmt.Sprintf("v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s1;\r\n\tt=%d; bh=%032x=;\r\n\th=from:to:subject:date:message-id;\r\n\tb=%064x%064x", domain, at.Unix(), r.Uint64(), r.Uint64(), r.Uint64()))
	kind := r.IntN(20)
	switch {
	case folder == "INBOX" && kind == 0:
		h("List-Id", "Friends of the park <park.lists.example>")
		h("List-Unsubscribe", "<mailto:leave@lists.example>")
		h("Precedence", "list")
	case folder == "INBOX" && kind == 1:
		h("List-Unsubscribe", "<https://shop.example/u/123>")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		h("Feedback-ID", "123:shop:campaign")
	case folder == "INBOX" && kind == 2:
		h("Auto-Submitted", "auto-replied")
	}
	name := fmt.Sprintf("Person %d", other)
	if folder == "Sent" {
		h("From", "Me <"+me+">")
		h("To", fmt.Sprintf("%q <%s>", name, to))
		if kind < 5 {
			h("Cc", fmt.Sprintf("%s, \"Someone Else\" <%s>", address(r.IntN(people)), address(r.IntN(people))))
		}
	} else {
		h("From", fmt.Sprintf("%q <%s>", name, from))
		h("To", "Me <"+to+">")
	}
	h("Date", at.Format(time.RFC1123Z))
	h("Message-ID", fmt.Sprintf("<%d.%x@%s>", k, r.Uint64(), domain))
	subject := "Re: dinner on Saturday?"
	if kind == 3 && folder == "INBOX" {
		subject = "Automatic reply: dinner on Saturday?"
	}
	h("Subject", subject)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=\"utf-8\"")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0")
	b.WriteString("\r\n")
	for i := 0; i < 10; i++ {
		b.WriteString("Sounds good to me, see you then. Shall I bring something to eat or drink?\r\n")
	}
	return []byte(b.String())
}
