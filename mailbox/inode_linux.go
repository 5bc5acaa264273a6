package mailbox

import (
	"os"
	"syscall"
	"time"
)

// inodeChanged is when the file's inode last changed (its ctime).
func inodeChanged(info os.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Unix())
	}
	return time.Time{}
}
