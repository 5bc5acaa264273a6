// Package bin is for tests only: the rekindle binary, built once for every
// package whose tests run it (the end-to-end tests, web's test of the API
// and the command line writing at once).
//
// It is built into a directory of the user's cache, named after this
// checkout, and go build leaves a binary there that is up to date as it
// is: the link, a few CPU seconds, is paid only after a change, not by
// each package at each run. A lock on the directory keeps two packages'
// tests from building it at the same time.
package bin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

var (
	once sync.Once
	path string
	err  error
)

// Rekindle is the path of the rekindle binary built from this checkout.
func Rekindle() (string, error) {
	once.Do(func() { path, err = build() })
	return path, err
}

func build() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("bin: cannot tell where the module is")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	sum := sha256.Sum256([]byte(root))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "rekindle-test", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("bin: lock %s: %w", dir, err)
	}
	out := filepath.Join(dir, "rekindle")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/rekindle")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
}
