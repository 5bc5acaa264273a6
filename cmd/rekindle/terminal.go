package main

import (
	"io"

	"github.com/rekindle/rekindle/internal/terminal"
)

// forTerminal is w as rekindle may print to it: through terminal.Writer
// when w is a terminal, so that no name, note, mail header or error message
// that came from someone else drives it. A pipe gets the text as it is.
func forTerminal(w io.Writer, tty bool) io.Writer {
	if tty {
		return terminal.NewWriter(w)
	}
	return w
}
