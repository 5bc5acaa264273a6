// Package regular opens files that rekindle reads from paths a user or
// another program chose (the config, secrets, the Maildir, the file of
// held records): without blocking, so a FIFO put in a file's place cannot
// hang the reader, and only when what is there is a regular file, checked
// on the open file itself, so nothing can be swapped in between the check
// and the read.
package regular

import (
	"errors"
	"os"
	"syscall"
)

// ErrNot is the error of Open for what is not a regular file; the
// NotError that carries it says what it is.
var ErrNot = errors.New("not a regular file")

// NotError is a path that is not a regular file, and what it is.
type NotError struct {
	Path string
	Mode os.FileMode
}

func (e *NotError) Error() string { return e.Path + " is not a regular file (" + Kind(e.Mode) + ")" }
func (e *NotError) Unwrap() error { return ErrNot }

// Open opens name for flags (os.O_RDONLY, or os.O_RDWR|os.O_CREATE with
// perm) without blocking, and returns it with its FileInfo when it is a
// regular file; anything else is closed again and is a *NotError.
func Open(name string, flags int, perm os.FileMode) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(name, flags|syscall.O_NONBLOCK, perm)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fi, &NotError{Path: name, Mode: fi.Mode()}
	}
	return f, fi, nil
}

// Kind says in words what a file of mode m is: "a directory", "a FIFO".
func Kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
