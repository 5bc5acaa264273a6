package mailbox

import (
	"context"
	"errors"

	"github.com/rekindle/rekindle/addressbook"
	"github.com/rekindle/rekindle/config"
)

// addressBook is a carddav source on the sources' seam: its sync reads
// the address book's people into the state file (package addressbook),
// so that the daemon's loop reads it every interval, and `sync --check`
// and status know it, as they know a mailbox.
type addressBook struct{ src *config.Source }

func init() {
	register("carddav", func(src *config.Source) Source { return &addressBook{src: src} })
}

func (a *addressBook) Sync(ctx context.Context, s *Sync, res *Result) error {
	store, ok := s.Store.(addressbook.Store)
	if !ok {
		return errors.New("address book " + a.src.Name + ": this state file cannot keep cards")
	}
	r, err := (&addressbook.Sync{Source: a.src, Store: store, Now: s.Now, DryRun: s.DryRun}).Run(ctx)
	res.Read, res.Malformed, res.People = r.Read, r.Unreadable, len(r.Changes)
	return err
}

func (a *addressBook) Check(ctx context.Context) ([]string, error) {
	return addressbook.Check(ctx, a.src)
}

func (a *addressBook) Watch(context.Context, func(), func(error)) error {
	return notWatched("an address book is read every interval")
}

func (a *addressBook) Config() *config.Source { return a.src }
