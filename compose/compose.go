// Package compose writes what a reminder says: its words from the
// templates (render.go), a signed link to the person's page (compose.go)
// and the buttons it carries to the phone (links.go), into a Message that
// each channel of package notifier formats in its own style. It knows no
// channel and sends nothing, so that scheduler, which composes every
// reminder when it becomes due, depends on no transport.
package compose

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/split"
	"github.com/rekindle/rekindle/links"
)

// One makes a reminder's message: the words Render gives it and, when
// the daemon can be reached from outside (public_url), a signed link to the
// person's page and the phone buttons, each with a credential of its own.
// The link opens that person's page alone; the buttons act once for this
// notification (one nonce, fresh for each message composed). Both count
// their lifetime from tmpl's clock, the real one, not from r.At.
func One(cfg *config.Config, tmpl *Templates, r Reminder) (Message, error) {
	m, err := tmpl.Render(r)
	if err != nil || cfg.PublicURL == "" {
		return m, err
	}
	key := []byte(cfg.APIToken.Reveal())
	p := r.Contact
	now := tmpl.now()
	link := links.Person(cfg.PublicURL, key, p.ID, now)
	m.Actions = PersonActions(cfg.PublicURL, key, p.ID, links.NewNonce(), now)
	m.Click = link
	m.Links = []Link{{Label: "Open " + p.Name + " in rekindle", URL: link}}
	return m, nil
}

// All composes reminders and encodes each as an outbox row keeps it
// (one encoding serves every channel of the person), over all cores when
// there are many.
func All(cfg *config.Config, tmpl *Templates, rs []Reminder) ([][]byte, error) {
	out := make([][]byte, len(rs))
	errs := make([]error, len(rs))
	one := func(i int) {
		m, err := One(cfg, tmpl, rs[i])
		if err == nil {
			out[i], err = json.Marshal(m)
		}
		if err != nil {
			errs[i] = fmt.Errorf("compose the reminder for %s: %w", rs[i].Contact.ID, err)
		}
	}
	split.Ranges(len(rs), 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			one(i)
		}
	})
	return out, errors.Join(errs...)
}
