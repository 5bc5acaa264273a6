package main

import (
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// isTerminal tells whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// stripControl drops control characters but newlines and tabs: a note sent
// through the API may carry escape sequences that would move the cursor,
// rewrite the screen or set the window title when printed.
func stripControl(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// safe is s as it may be printed: without control characters when standard
// output is a terminal.
func (c *cli) safe(s string) string {
	if c.tty {
		return stripControl(s)
	}
	return s
}
