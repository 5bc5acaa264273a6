package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// importProcess starts "rekindle import" on a vCard of 5,000 people (far
// more than a pipe holds) as a real process, its temporary directory tmp
// and its standard output a pipe.
func importProcess(t *testing.T) (cmd *exec.Cmd, out io.ReadCloser, tmp string) {
	t.Helper()
	dir := t.TempDir()
	tmp = filepath.Join(dir, "tmp")
	os.Mkdir(tmp, 0o700)
	var vcf strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&vcf, "BEGIN:VCARD\nVERSION:4.0\nFN:Person %d\nEMAIL:p%d@example.org\nEND:VCARD\n", i, i)
	}
	in := filepath.Join(dir, "people.vcf")
	os.WriteFile(in, []byte(vcf.String()), 0o600)
	// The test binary is rekindle when it runs under that name (TestMain).
	exe := filepath.Join(dir, "rekindle")
	self, _ := os.Executable()
	if err := os.Symlink(self, exe); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(exe, "import", in)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "XDG_CONFIG_HOME="+dir, "REKINDLE_CONFIG=", "HOME="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the output to begin: the temporary file is written by then.
	if _, err := io.ReadFull(out, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	return cmd, out, tmp
}

// leftIn lists what a process left in its temporary directory.
func leftIn(t *testing.T, tmp string) []string {
	t.Helper()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestImportLeavesNoTemporaryFile: "rekindle import x.vcf | head" closes
// the pipe early, and the SIGPIPE that ends the process leaves nothing in
// the temporary directory; nor does SIGTERM or SIGINT while the output
// waits on a pipe that nobody reads, and the command stops at once. Before,
// the file stayed after a SIGPIPE, and the command did not stop for a
// signal while its output waited.
func TestImportLeavesNoTemporaryFile(t *testing.T) {
	t.Parallel()
	t.Run("closed pipe", func(t *testing.T) {
		t.Parallel()
		cmd, out, tmp := importProcess(t)
		out.Close()
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
			t.Logf("the process ended with %v (not SIGPIPE)", err)
		}
		if left := leftIn(t, tmp); len(left) > 0 {
			t.Errorf("left in the temporary directory: %v", left)
		}
	})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd, out, tmp := importProcess(t)
			defer out.Close()
			cmd.Process.Signal(sig)
			ended := make(chan error, 1)
			go func() { ended <- cmd.Wait() }()
			select {
			case <-ended:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the command did not stop within 5 s of %v", sig)
			}
			if left := leftIn(t, tmp); len(left) > 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		})
	}
}
