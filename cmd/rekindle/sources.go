package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/mailbox"
	"github.com/rekindle/rekindle/rules"
)

// learn runs the mail sources until ctx ends: each at start, then every
// interval, and a Maildir also as soon as a message arrives in it. They
// run one after another, never holding up reminders: a failing source is
// logged and tried again later with backoff.
func (d *daemon) learn(ctx context.Context) {
	cfg := func() *config.Config { return d.cur.Load().cfg }
	// Without sources this only waits: a reload may add one.
	arrived, err := d.fileEvents(ctx, func() []string { return maildirDirs(cfg()) }, func(string) bool { return true },
		func(op fsnotify.Op) bool { return op.Has(fsnotify.Create | fsnotify.Rename) }, d.rewatchSources)
	if err != nil {
		d.log.Warn("cannot watch the Maildir sources; reading them every interval", "err", err)
	}
	next := map[string]time.Time{} // when each source is read next
	fails := map[string]int{}
	// An IMAP source whose server offers IDLE is watched: new mail in its
	// inbox is read at once, not at the next interval.
	told := make(chan string, 16)
	watching := map[string]context.CancelFunc{}
	// The watches end with learn: each cuts its connection as its
	// context ends, so the wait is short whatever the server does.
	var watches sync.WaitGroup
	defer func() {
		for _, stop := range watching {
			stop()
		}
		watches.Wait()
	}()
	var watched *config.Config
	for {
		c := cfg()
		if c != watched {
			watched = c
			d.watchIMAP(ctx, c, watching, told, &watches)
		}
		now := time.Now()
		wake := now.Add(time.Minute)
		for _, name := range c.SourceNames() {
			src := c.Sources[name]
			if at, ok := next[name]; ok && at.After(now) {
				wake = rules.Earliest(wake, at)
				continue
			}
			d.syncSource(ctx, c, src, fails)
			wait := src.Interval
			if n := fails[name]; n > 0 {
				wait = min(src.Interval, mailbox.Backoff(n)) // never later than its interval
			}
			next[name] = time.Now().Add(wait)
			wake = rules.Earliest(wake, next[name])
		}
		// Without sources, nothing to wake for but a reload.
		timer := time.NewTimer(time.Until(wake))
		timeout := timer.C
		if len(c.Sources) == 0 {
			timer.Stop()
			timeout = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-d.reloaded:
		case <-timeout:
		case name := <-told:
			delete(next, name)
		case <-arrived:
			// Debounced: a mail program writes and renames in steps.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			for name, src := range c.Sources {
				if src.Type == "maildir" {
					delete(next, name)
				}
			}
		}
		timer.Stop()
	}
}

// watchIMAP starts a watch on each IMAP source of cfg that has none, and
// stops those of sources no longer there (or changed by a reload).
func (d *daemon) watchIMAP(ctx context.Context, cfg *config.Config, watching map[string]context.CancelFunc, told chan<- string, wg *sync.WaitGroup) {
	for name, stop := range watching {
		stop() // a reload may have changed the source: watch it anew
		delete(watching, name)
	}
	for name, src := range cfg.Sources {
		if src.Type != "imap" {
			continue
		}
		wctx, stop := context.WithCancel(ctx)
		watching[name] = stop
		wg.Go(func() {
			err := mailbox.Watch(wctx, src, func() {
				select {
				case told <- name:
				default:
				}
			}, func(err error) {
				d.log.Warn("lost the watch on a mail source; reconnecting", "source", name, "err", err)
			})
			if errors.Is(err, mailbox.ErrNoIdle) {
				d.log.Info("the mail server does not offer IDLE; reading it every interval", "source", name, "interval", src.Interval)
			}
		})
	}
}

// syncSource reads one source and logs what it learned, or why it failed.
func (d *daemon) syncSource(ctx context.Context, cfg *config.Config, src *config.Source, fails map[string]int) {
	s := &mailbox.Sync{Source: src, People: mailbox.NewPeople(cfg), Store: d.j, Now: time.Now()}
	res, err := s.Run(ctx)
	err = d.secrets.Load().Error(err) // a server may echo the login
	if ctx.Err() != nil {
		return
	}
	// status tells of a failing source.
	if rerr := d.j.RecordSync(ctx, src.Name, time.Now(), err); rerr != nil {
		d.log.Error("record a mail source's state", "source", src.Name, "err", rerr)
	}
	if err != nil {
		fails[src.Name]++
		d.log.Error("mail source failed; trying again later", "source", src.Name, "failures_in_a_row", fails[src.Name], "err", err)
		return
	}
	if fails[src.Name] > 0 {
		d.log.Info("mail source works again", "source", src.Name)
	}
	delete(fails, src.Name)
	if res.Added > 0 || res.Malformed > 0 {
		d.log.Info("learned from mail", "source", src.Name, "read", res.Read, "used", res.Used, "ignored", res.Ignored,
			"unreadable", res.Malformed, "events", res.Added)
	}
	if res.Added > 0 {
		// A reply may end a reminder waiting in the outbox.
		d.deliver.Wake()
	}
}

// maildirDirs lists the directories where mail arrives in the Maildir
// sources: new/ and cur/ of each inbox and sent folder.
func maildirDirs(cfg *config.Config) []string {
	var dirs []string
	for _, src := range cfg.Sources {
		if m, ok := src.Spec.(*config.MaildirSpec); ok {
			for _, f := range []string{m.Inbox, m.Sent} {
				for _, sub := range []string{"new", "cur"} {
					dirs = append(dirs, filepath.Join(f, sub))
				}
			}
		}
	}
	return dirs
}
