package main

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/journal"
	"github.com/rekindle/rekindle/scheduler"
)

func (c *cli) loadConfig() (*config.Config, error) {
	path, err := config.Find(c.configFlag)
	if err != nil {
		return nil, hint.With(err, "run 'rekindle init' for a starter config, or pass --config")
	}
	sizeMemory(path, configMemory)
	cfg, err := config.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hint.With(err, "pass --config with the path of your config file")
	}
	if err != nil {
		return cfg, err
	}
	return cfg, addCards(cfg)
}

func (c *cli) openJournal(ctx context.Context) (*journal.Journal, error) {
	path, err := journal.DefaultPath()
	if err != nil {
		return nil, err
	}
	return journal.Open(ctx, path)
}

// people loads the config, the journal's events, everyone's turn in the
// queue of new people and what the outbox has sent, for a plan from the
// time from (a --from value; now when "").
func (c *cli) people(ctx context.Context, from string) (*config.Config, []scheduler.Person, map[journal.Identity]journal.Enqueued, time.Time, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	start, err := c.timeFlag(from, cfg)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	j, err := c.openJournal(ctx)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	defer j.Close()
	people, hist, err := scheduler.Load(ctx, cfg, j, start)
	return cfg, people, hist, start, err
}

// parseTime reads a --at or --from value: RFC 3339, a local date-time
// (2026-11-30T18:00) or a day (2026-11-30, the start of that day), the last
// two in the configured zone.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err == nil {
		t = t.In(loc)
	} else {
		for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err = time.ParseInLocation(layout, s, loc); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, usagef("invalid time %q: use RFC 3339 (2026-11-30T18:00:00+01:00) or a day (2026-11-30)", s)
	}
	if err := journal.CheckTime(t); err != nil {
		return time.Time{}, usagef("invalid time %q: %v", s, err)
	}
	return t, nil
}

func (c *cli) timeFlag(s string, cfg *config.Config) (time.Time, error) {
	if s == "" {
		return c.now().In(cfg.Location), nil
	}
	return parseTime(s, cfg.Location)
}

const stamp = "2006-01-02 15:04"
