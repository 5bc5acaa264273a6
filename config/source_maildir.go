package config

import (
	"os"
	"path/filepath"
	"strings"
)

// MaildirSpec is a Maildir that a mail program keeps in sync on this
// machine (mbsync, offlineimap, notmuch): the inbox and the sent folder,
// each a directory with cur/ and new/.
type MaildirSpec struct {
	Path  string // the account's directory, absolute
	Inbox string // the inbox: Path itself when it has cur/, else Path/INBOX; "" not read (below)
	Sent  string // the sent folder: Path/Sent, or Maildir++'s Path/.Sent; "" not read (below)
	// Phone is the folders where SMS Backup+ keeps texts and calls (synced
	// down from the server): Path/SMS, or Maildir++'s Path/.SMS. Empty:
	// none is read.
	Phone []string
}

func init() { registerSource("maildir", func() SourceSpec { return &MaildirSpec{} }) }

func (*MaildirSpec) keys() []string { return []string{"path", "inbox", "sent", "phone"} }

func (m *MaildirSpec) read(r *reader, t map[string]any, p path) {
	dir, ok := r.str(t, p, "path")
	if !ok {
		if _, present := t["path"]; !present {
			r.ps.add(p, "a maildir source needs path = \"~/Mail/personal\": the directory of the account")
		}
		return
	}
	m.Path = r.localPath(dir)
	inbox, _ := r.str(t, p, "inbox")
	sent, _ := r.str(t, p, "sent")
	m.Inbox = maildirFolder(m.Path, inbox, "", "INBOX")
	m.Sent = maildirFolder(m.Path, sent, "Sent", ".Sent")
	for _, n := range r.phoneFolders(t, p) {
		dir := n
		if !filepath.IsAbs(n) {
			// "Call log" is Path/Call log (mbsync, offlineimap) or, in a
			// Maildir++ (Dovecot, Courier), Path/.Call log.
			dir = maildirFolder(m.Path, "", n, "."+n)
		}
		if dir == m.Inbox || dir == m.Sent {
			r.ps.add(p.with("phone"), "%q is read as mail (inbox or sent); SMS Backup+ needs folders of its own, such as \"SMS\" and \"Call log\"", n)
			continue
		}
		m.Phone = append(m.Phone, dir)
	}
	// A Maildir of the phone's folders alone (a mail program that syncs
	// only SMS Backup+'s labels) has no inbox or sent folder: one not
	// named and not there is not read, rather than failing every sync.
	if len(m.Phone) > 0 {
		if inbox == "" && !isMaildir(m.Inbox) {
			m.Inbox = ""
		}
		if sent == "" && !isMaildir(m.Sent) {
			m.Sent = ""
		}
	}
}

// isMaildir tells whether dir is a Maildir folder: it has cur/.
func isMaildir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "cur"))
	return err == nil
}

// maildirFolder finds a folder under root: the one named, else the first
// of the usual names that exists (the first when none does, so an error
// names it).
func maildirFolder(root, named string, usual ...string) string {
	if named != "" {
		if filepath.IsAbs(named) {
			return named
		}
		return filepath.Join(root, named)
	}
	for _, u := range usual {
		if isMaildir(filepath.Join(root, u)) {
			return filepath.Join(root, u)
		}
	}
	return filepath.Join(root, usual[len(usual)-1])
}

// localPath makes a path from the config absolute: ~ is the home
// directory, and a relative path starts at the config's directory.
func (r *reader) localPath(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.dir, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}
