package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/needs"
)

// TestSystemdUnits checks both unit files with systemd-analyze verify (CI
// installs Debian's systemd), with ExecStart pointed at a real binary, and
// that they ask for what the daemon does: Type=notify, reload by SIGHUP, a
// watchdog, and for the system unit the sandbox the README promises.
func TestSystemdUnits(t *testing.T) {
	analyze := needs.Program(t, "systemd", "systemd-analyze")
	bin := binary(t)
	for _, tc := range []struct {
		file, execPath string
		user           bool
		must           []string
	}{
		{"rekindle.service", "/usr/local/bin/rekindle", false, []string{
			"Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "DynamicUser=yes",
			"StateDirectory=rekindle", "ConfigurationDirectory=rekindle", "ProtectSystem=strict", "ProtectHome=yes",
			"NoNewPrivileges=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
		}},
		{"user/rekindle.service", "%h/go/bin/rekindle", true, []string{
			"Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "StateDirectory=rekindle", "WantedBy=default.target",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", "dist", "systemd", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tc.must {
				if !strings.Contains(string(src), m) {
					t.Errorf("%s lacks %q", tc.file, m)
				}
			}
			dir := t.TempDir()
			unit := filepath.Join(dir, "rekindle.service")
			os.WriteFile(unit, []byte(strings.ReplaceAll(string(src), tc.execPath, bin)), 0o644)
			args := []string{"verify", unit}
			cmd := exec.Command(analyze, args...)
			if tc.user {
				run := filepath.Join(dir, "run")
				os.Mkdir(run, 0o700)
				cmd = exec.Command(analyze, append([]string{"--user"}, args...)...)
				cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run)
			}
			if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
				t.Errorf("systemd-analyze verify %s: %v\n%s", tc.file, err, out)
			}
		})
	}
}
