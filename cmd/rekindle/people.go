package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/rekindle/rekindle/addressbook"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/journal"
)

// addCards adds the people of the config's address books, as the state
// file keeps them since the last sync, to a config just loaded: every
// command sees the people of both places (addressbook.Load). Before the
// first sync there are none, and the state file is not made for them.
func addCards(cfg *config.Config) error {
	if !addressbook.HasPeople(cfg) {
		return nil
	}
	path, err := journal.DefaultPath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		return err
	}
	defer j.Close()
	return addressbook.Load(ctx, cfg, j)
}

// syncPeople reads an address book source once and says whom it added,
// changed and removed, one line each; with dry it writes nothing and says
// whom it would. A failure is printed, with its fix, and returned.
func (c *cli) syncPeople(ctx context.Context, cfg *config.Config, j *journal.Journal, src *config.Source, dry bool, secrets *redact.Redactor) error {
	res, err := (&addressbook.Sync{Source: src, Store: j, Now: c.now(), DryRun: dry}).Run(ctx)
	err = secrets.Error(err) // a server may echo the login
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !dry {
		j.RecordSync(ctx, src.Name, c.now(), err)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "rekindle: error: %v\n", err)
		if h := hint.Of(err); h != "" {
			fmt.Fprintf(c.stderr, "rekindle: hint: %s\n", h)
		}
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	counts := map[string]int{}
	for _, ch := range res.Changes {
		counts[ch.What]++
		what := ch.What
		if dry {
			what = map[string]string{"added": "would add", "changed": "would change", "removed": "would remove"}[ch.What]
		}
		line := fmt.Sprintf("%s\t%s\t%s (%s)", src.Name, what, ch.Name, ch.ID)
		if ch.Was != "" {
			line += ", named " + ch.Was + " before"
		}
		if from := cfg.From(ch.ID); ch.What == "removed" && from != "" && !strings.HasPrefix(from, "the address book") {
			line += ", who stays as " + strings.TrimSuffix(from, " and the address book "+src.Name) + " has them"
		}
		fmt.Fprintln(w, line)
	}
	w.Flush()
	summary := fmt.Sprintf("%d added, %d changed, %d removed", counts["added"], counts["changed"], counts["removed"])
	if dry {
		summary = fmt.Sprintf("would add %d, change %d, remove %d; nothing written (dry run)", counts["added"], counts["changed"], counts["removed"])
	}
	unreadable := ""
	if res.Unreadable > 0 {
		unreadable = fmt.Sprintf(" (%d not vCards, left as they were)", res.Unreadable)
	}
	fmt.Fprintf(c.stdout, "%s: %s read from %s%s; %s\n", src.Name, plural(res.Read, "card", "cards"),
		plural(res.Books, "address book", "address books"), unreadable, summary)
	return nil
}
