// Package watch tells the daemon when the files it runs on change under
// it: the config file and the files it includes (a reload is due), and the
// state file and its lock file (deleted or replaced: the daemon must not
// go on). It watches the directories the files are in, not the files, so
// an editor that writes a new file and renames it over the old one is
// seen, and so is a file deleted, replaced or added.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/rekindle/rekindle/config"
)

// Debounce is how long the config must be quiet before a reload: editors
// write in several steps.
const Debounce = 300 * time.Millisecond

// Config reports changes to the config file and the files it includes (or
// a new one that an include pattern matches), debounced. cfg is the
// running config, asked again at each event; a signal on refresh (a reload
// that may have included files in new directories) makes it look at the
// directories again. When no watch can be set up, it logs so and the
// channel stays silent: SIGHUP still reloads.
func Config(ctx context.Context, log *slog.Logger, cfg func() *config.Config, refresh <-chan struct{}) <-chan struct{} {
	out := make(chan struct{}, 1)
	events, err := files(ctx, log, func() []string { return cfg().WatchDirs() }, func(name string) bool { return cfg().Watched(name) },
		func(op fsnotify.Op) bool { return op != fsnotify.Chmod }, refresh)
	if err != nil {
		log.Warn("cannot watch the config file; reload with SIGHUP", "err", err)
		return out
	}
	go func() {
		timer := time.NewTimer(Debounce)
		timer.Stop()
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
				timer.Reset(Debounce)
			case <-timer.C:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

// files reports the events on the files that match picks, one signal per
// event that keep picks (coalesced while unread), in the directories that
// dirs lists. A signal on refresh makes it look at dirs again.
func files(ctx context.Context, log *slog.Logger, dirs func() []string, match func(name string) bool, keep func(fsnotify.Op) bool, refresh <-chan struct{}) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	watched := map[string]bool{}
	// A directory that does not exist yet is skipped; it is looked for
	// again at each event, so one made later in a watched directory joins.
	add := func() error {
		for _, dir := range dirs() {
			if watched[dir] {
				continue
			}
			if err := w.Add(dir); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return fmt.Errorf("watch %s: %w", dir, err)
			}
			watched[dir] = true
		}
		return nil
	}
	if err := add(); err != nil {
		w.Close()
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-refresh:
				if err := add(); err != nil {
					log.Warn("file watch", "err", err)
				}
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					add()
				}
				if !match(filepath.Clean(ev.Name)) || !keep(ev.Op) {
					continue
				}
				select {
				case out <- struct{}{}:
				default:
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Warn("file watch", "err", err)
			}
		}
	}()
	return out, nil
}
