package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rekindle": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command line end to end: each testdata/script/*.txtar
// is a session at a terminal, with a fresh state directory.
func TestScripts(t *testing.T) {
	example, err := filepath.Abs("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("STATE_DIRECTORY", filepath.Join(env.WorkDir, "state"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("REKINDLE_EXAMPLE", example)
			env.Setenv("TZ", "UTC")
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_GOLDEN") != "",
	})
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STATE_DIRECTORY", dir)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[[contact]]\nname = \"Alice\"\n[[contact]]\nname = \"Alan\"\n"), 0o644)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[defaults]\nevery = \"3x\"\n"), 0o644)
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--config", cfg, "check"}, exitOK, ""},
		{[]string{"--config", cfg, "status"}, exitOK, ""},
		{[]string{"--config", bad, "check"}, exitProblem, "rekindle: error: " + bad + " has 1 problem:\n" + bad + ":2:1: defaults.every: invalid duration"},
		{[]string{"--config", bad, "status"}, exitProblem, "invalid duration"},
		{[]string{"--config", filepath.Join(dir, "missing.toml"), "status"}, exitProblem, "rekindle: hint: pass --config"},
		{[]string{"--config", cfg, "log", "zed", "talked"}, exitProblem, `no contact matches "zed"`},
		{[]string{"--config", cfg, "log", "al", "talked"}, exitProblem, `"al" could be alice (Alice), alan (Alan)`},
		{[]string{"--config", cfg, "log", "alice", "hugged"}, exitUsage, `unknown kind "hugged"`},
		{[]string{"--config", cfg, "log", "alice"}, exitUsage, "usage: rekindle log PERSON"},
		{[]string{"--config", cfg, "log", "alice", "talked", "--at", "yesterday"}, exitUsage, `invalid time "yesterday"`},
		{[]string{"--config", cfg, "log", "alice", "talked", "--at", "2099-01-01"}, exitProblem, "is in the future"},
		{[]string{"--config", cfg, "snooze", "alice", "3x"}, exitUsage, `unknown unit "x"`},
		{[]string{"--config", cfg, "plan", "--days", "0"}, exitUsage, "--days must be between"},
		{[]string{"--config", cfg, "status", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"--config", cfg, "stauts"}, exitUsage, `unknown command "stauts"`},
		{[]string{}, exitUsage, "no command given"},
		{[]string{"version"}, exitOK, ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, &out, &errb)
		if code != tt.code {
			t.Errorf("rekindle %v: exit %d; want %d\nstderr: %s", tt.args, code, tt.code, errb.String())
		}
		if !strings.Contains(errb.String(), tt.stderr) {
			t.Errorf("rekindle %v: stderr %q; want it to contain %q", tt.args, errb.String(), tt.stderr)
		}
	}
}
