// Package dovecottest runs a real Dovecot IMAP server for a test: its own
// config, mail directory and TLS certificate in a throwaway directory,
// listening on loopback ports (IMAP with STARTTLS, and IMAPS). Debian's
// dovecot-imapd package brings the server; without it the test skips
// (fails under CI).
package dovecottest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
	"github.com/rekindle/rekindle/internal/testsupport/needs"
)

// Server is a running Dovecot with one user.
type Server struct {
	Dir      string
	Host     string // 127.0.0.1
	IMAP     int    // plain IMAP port, with STARTTLS
	IMAPS    int    // implicit TLS port
	CAFile   string // the authority that signed the server's certificate
	User     string
	Password string
	Maildir  string // the user's Maildir: INBOX; .Sent is the sent folder

	cmd      *exec.Cmd
	uid, gid int
}

// Start starts Dovecot and stops it when the test ends. Each IMAP session
// is recorded under Dir/rawlog (what WaitIdle reads).
func Start(t testing.TB) *Server {
	t.Helper()
	bin := needs.Program(t, "dovecot-imapd", "dovecot", "/usr/sbin/dovecot")
	dir, err := os.MkdirTemp("", "dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // the mail user must reach its home
	s := &Server{Dir: dir, Host: "127.0.0.1", User: "me", Password: "a-secret-pass-0123", Maildir: filepath.Join(dir, "home", "me", "Maildir")}
	s.IMAP, s.IMAPS = loopback.FreePort(t), loopback.FreePort(t)

	// As root, Dovecot runs its login and mail processes as other users;
	// as anyone else, everything runs as that user.
	internal, login := "dovecot", "dovenull"
	s.uid, s.gid = 65534, 65534
	if os.Geteuid() != 0 {
		u, _ := user.Current()
		internal, login = u.Username, u.Username
		s.uid, s.gid = os.Getuid(), os.Getgid()
	}
	s.CAFile = loopback.WriteCert(t, dir)
	for _, d := range []string{"run", "state", "rawlog", "home/me/Maildir/cur", "home/me/Maildir/new", "home/me/Maildir/tmp",
		"home/me/Maildir/.Sent/cur", "home/me/Maildir/.Sent/new", "home/me/Maildir/.Sent/tmp"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	chownAll(filepath.Join(dir, "home"), s.uid, s.gid)
	chownAll(filepath.Join(dir, "rawlog"), s.uid, s.gid)
	os.WriteFile(filepath.Join(dir, "passwd"), []byte(s.User+":{PLAIN}"+s.Password+"\n"), 0o644)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = %[2]s
default_login_user = %[3]s
first_valid_uid = %[4]d
first_valid_gid = %[5]d
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[4]d gid=%[5]d home=%[1]s/home/%%u
}
mail_location = maildir:~/Maildir
protocol imap {
  rawlog_dir = %[1]s/rawlog
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = %[6]d
  }
  inet_listener imaps {
    port = %[7]d
    ssl = yes
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
`, dir, internal, login, s.uid, s.gid, s.IMAP, s.IMAPS)
	cfg := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "-F", "-c", cfg)
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Kill takes the children too
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "dovecot.log")); err == nil {
				t.Logf("dovecot.log:\n%s", b)
			}
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.IMAPS)))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// Deliver puts a message into a folder ("INBOX", "Sent" or any other,
// made as Maildir++ keeps it when it is not there yet) as a delivery agent
// does: written into tmp/, renamed into new/.
func (s *Server) Deliver(t testing.TB, folder, name string, raw []byte) {
	t.Helper()
	root := s.Maildir
	if folder != "INBOX" {
		root = filepath.Join(s.Maildir, "."+folder)
	}
	if _, err := os.Stat(filepath.Join(root, "tmp")); err != nil {
		for _, d := range []string{"cur", "new", "tmp"} {
			os.MkdirAll(filepath.Join(root, d), 0o755)
		}
		chownAll(root, s.uid, s.gid)
	}
	tmp := filepath.Join(root, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chown(tmp, s.uid, s.gid)
	if err := os.Rename(tmp, filepath.Join(root, "new", name)); err != nil {
		t.Fatal(err)
	}
}

// WaitIdle waits until a client is idling, from the server's own record
// (the rawlog of each IMAP session): Dovecot has answered an IDLE, so mail
// delivered from now on is told to that client.
func (s *Server) WaitIdle(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		outs, _ := filepath.Glob(filepath.Join(s.Dir, "rawlog", "*.out"))
		for _, o := range outs {
			if b, err := os.ReadFile(o); err == nil && strings.Contains(string(b), " + idling") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client idles on dovecot after %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop shuts the server down, as its administrator would: each client
// is told BYE (Dovecot then keeps an idle connection open some ten seconds).
func (s *Server) Stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
}

// Kill kills the server and all its processes at once: every connection
// drops, as when the network goes.
func (s *Server) Kill() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	s.cmd.Wait()
}

func chownAll(root string, uid, gid int) {
	filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			os.Chown(p, uid, gid)
		}
		return nil
	})
}
