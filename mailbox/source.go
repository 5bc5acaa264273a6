package mailbox

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// Source is one [sources.NAME] table at work: a mailbox of some type that
// rekindle reads to learn who wrote to whom. Each type is one file here
// (and one in config for its settings) that registers itself; the sync,
// the check and the daemon's loop know sources only through this.
type Source interface {
	// Sync reads each of the source's folders from where the cursor
	// stored for it says the last sync stopped, hands every message's
	// header to s.consider, and stores the folder's new cursor with what
	// it taught (s.commit). The cursor is the type's own: the journal
	// keeps its bytes and reads nothing into them.
	Sync(ctx context.Context, s *Sync, res *Result) error
	// Check reaches the source and finds its folders without reading a
	// message; it returns the folders it would read.
	Check(ctx context.Context) ([]string, error)
	// Watch calls arrived whenever mail may have come in, until ctx ends,
	// and failed for each failure of the watch it recovers from. A
	// source that cannot tell of new mail (a server without IDLE)
	// returns an error that is ErrNotWatched at once, and one whose watch
	// cannot be set up its error: either way it is read every interval.
	Watch(ctx context.Context, arrived func(), failed func(error)) error
	// Config is the table it was opened from.
	Config() *config.Source
}

// ErrNotWatched is Watch's answer for a source that cannot tell of new
// mail as it comes.
var ErrNotWatched = errors.New("the source cannot be watched")

// notWatched is a reason a source cannot be watched: it is ErrNotWatched.
type notWatched string

func (e notWatched) Error() string      { return string(e) }
func (notWatched) Is(target error) bool { return target == ErrNotWatched }

// opens makes a Source of each type from its table; each type's file
// registers itself.
var opens = map[string]func(*config.Source) Source{}

// register adds a source type: its name in `type = "..."` (as config
// registers it) and how to open one.
func register(typ string, open func(*config.Source) Source) { opens[typ] = open }

// Open returns the Source a [sources.NAME] table describes.
func Open(src *config.Source) (Source, error) {
	open, ok := opens[src.Type]
	if !ok {
		return nil, fmt.Errorf("source %s: type %s cannot be read by this rekindle", src.Name, src.Type)
	}
	return open(src), nil
}

// Types lists the source types that can be opened, sorted.
func Types() []string {
	out := make([]string, 0, len(opens))
	for t := range opens {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Noun is what a source is, in the words of a log line or a warning: "mail
// source", "address book", "calendar source", "phone backup".
func Noun(src *config.Source) string {
	switch {
	case src.ReadsPeople():
		return "address book"
	case IsCalendar(src.Type):
		return "calendar source"
	case src.Type == "phonebackup":
		return "phone backup"
	}
	return "mail source"
}

// Label is how a source names itself in events and in the state file:
// "maildir:home".
func Label(s *config.Source) string { return journal.LearnedSource(s.Type, s.Name) }

// Check connects to a source and finds its folders without reading a
// message: what `rekindle sync --check` reports. It returns the folders it
// would read.
func Check(ctx context.Context, src *config.Source) ([]string, error) {
	s, err := Open(src)
	if err != nil {
		return nil, err
	}
	return s.Check(ctx)
}

// Watch opens a source and watches it (Source.Watch).
func Watch(ctx context.Context, src *config.Source, arrived func(), failed func(error)) error {
	s, err := Open(src)
	if err != nil {
		return err
	}
	return s.Watch(ctx, arrived, failed)
}
