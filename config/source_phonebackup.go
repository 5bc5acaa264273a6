package config

// PhoneBackupSpec is a folder of SMS Backup & Restore files (sms-*.xml,
// calls-*.xml) that Syncthing or a cloud client keeps in sync from the
// phone: calls and texts, matched to people by number.
type PhoneBackupSpec struct {
	Path string // the folder, absolute
}

func init() { registerSource("phonebackup", func() SourceSpec { return &PhoneBackupSpec{} }) }

func (*PhoneBackupSpec) keys() []string { return []string{"path"} }

func (s *PhoneBackupSpec) read(r *reader, t map[string]any, p path) {
	dir, ok := r.str(t, p, "path")
	if !ok {
		if !present(t, "path") {
			r.ps.add(p, "a phonebackup source needs path = \"~/Sync/phone\": the folder SMS Backup & Restore's files are synced to")
		}
		return
	}
	s.Path = r.localPath(dir)
}
