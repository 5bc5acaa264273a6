// Package hint is the one way an error carries advice: what the person
// reading it can do about it, kept apart from what went wrong. The command
// prints the two on their own lines ("rekindle: error:", "rekindle: hint:");
// the daemon logs the hint as its own field.
package hint

// Hinter is an error with advice. Any package's error type may have the
// method; it needs no import of this package.
type Hinter interface {
	Hint() string
}

// Of returns the advice err carries: the hint of the first error in its
// chain that has one, or "".
func Of(err error) string {
	for err != nil {
		if h, ok := err.(Hinter); ok && h.Hint() != "" {
			return h.Hint()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if s := Of(e); s != "" {
					return s
				}
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// With wraps err with advice; errors.Is and errors.As still see err.
func With(err error, advice string) error {
	return &hinted{err: err, hint: advice}
}

type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }
func (h *hinted) Hint() string  { return h.hint }

// Line is err's text with its advice after it in brackets, for the places
// that have one line for both: a row of sync --check, the state file's
// last error that status shows.
func Line(err error) string {
	if h := Of(err); h != "" {
		return err.Error() + " (" + h + ")"
	}
	return err.Error()
}
