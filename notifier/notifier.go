// Package notifier holds the channels, the transports that take a reminder
// to the user: ntfy, email, Slack, desktop notifications, standard output
// and the services reached through nikoksr/notify. Package deliver decides
// when and how often they are tried.
//
// Every channel implements github.com/nikoksr/notify's Notifier (a subject
// and a plain-text body), so the set stays pluggable; Deliver carries the
// full Message (package compose writes it) with what the richer services
// show (markdown, HTML, priority, tags, a click URL, action buttons). Every send has a timeout and honours
// its context, and every failure is an *Error that says whether trying again
// can help.
package notifier

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/nikoksr/notify"

	"github.com/rekindle/rekindle/compose"
)

// Message, Action and Link are the composer's: what a reminder says
// (package compose). Channels deliver them; the names stay here so that
// each channel's file reads as it did.
type (
	Message = compose.Message
	Action  = compose.Action
	Link    = compose.Link
)

// Channel is one configured way to reach the user.
type Channel interface {
	notify.Notifier
	Name() string
	Type() string
	// Deliver sends m, within the channel's timeout and ctx.
	Deliver(ctx context.Context, m Message) error
}

// defaultTimeout bounds every send.
const defaultTimeout = 15 * time.Second

// Error is a failed delivery, classified.
type Error struct {
	Channel    string
	Retryable  bool          // trying again later can help
	RetryAfter time.Duration // the server asked to wait this long; 0: unknown
	Status     int           // the HTTP status or SMTP reply code, when there was one
	Msg        string        // what went wrong, with the server's own words
	Fix        string        // what to do about it, where that is obvious; read it with Hint
	Err        error
}

func (e *Error) Error() string { return e.Channel + ": " + e.Describe() }

// Hint is the fix, kept out of the error's text: the command prints it on
// its own line (internal/hint).
func (e *Error) Hint() string { return e.Fix }

// Describe says what went wrong and whether it is temporary, without the
// channel's name.
func (e *Error) Describe() string {
	kind := "permanent"
	if e.Retryable {
		kind = "temporary"
	}
	s := fmt.Sprintf("%s (%s)", e.Msg, kind)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf("; retry after %s", e.RetryAfter)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether err is worth trying again: a classified
// temporary failure, or any unclassified error (a bug must not lose a
// reminder).
func Retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return err != nil
}

// AskedWait returns the wait the server asked for, or 0.
func AskedWait(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// withTimeout bounds one send.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = defaultTimeout
	}
	return context.WithTimeout(ctx, d)
}

// send sends through a notify.Notify that uses svc, one of notify's
// services, alone: the way notify is meant to be used. It returns the
// service's own error, which the channel classifies (notify joins
// ErrSendNotification to it).
func send(ctx context.Context, svc notify.Notifier, subject, message string) error {
	n := notify.New()
	n.UseServices(svc)
	return serviceError(n.Send(ctx, subject, message))
}

// service is a send as notify's services make it, for a channel that
// calls its library itself (discord, matrix, mattermost, msteams,
// pushover): the same requests and errors as notify's service for that
// library, without the service's package, which links testify's
// assertions and mocks into the binary for its own tests.
type service func(ctx context.Context, subject, message string) error

// Send implements notify.Notifier.
func (f service) Send(ctx context.Context, subject, message string) error {
	return f(ctx, subject, message)
}

// serviceError is the service's own error in an error of notify's Send.
func serviceError(err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok && errors.Is(err, notify.ErrSendNotification) {
		for _, e := range joined.Unwrap() {
			if e != notify.ErrSendNotification {
				return e
			}
		}
	}
	return err
}

// bounded runs f, a library's call that takes no context, and waits for it
// at most until ctx ends; then f is left to end on its own, and the error
// is ctx's.
func bounded(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \n") + mark
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// lazyRegexp compiles expr the first time it is used, not when the package
// is initialised: every command starts with every package's initialisers,
// and most never meet the text these expressions read.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
