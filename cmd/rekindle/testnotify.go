package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rekindle/rekindle/compose"
	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/notifier"
)

// errSomeFailed makes test-notify exit 1 after it has printed its report.
var errSomeFailed = errors.New("test-notify: at least one channel failed")

var testNotifyCommand = command{
	name: "test-notify", args: "[CHANNEL]", summary: "send a test message through each (or one) channel", maxArgs: 1,
	flags: noFlags(func(c *cli, ctx context.Context, pos []string) error { return c.testNotify(ctx, pos) }),
}

// testNotify sends a test message through each channel, or the one in pos.
func (c *cli) testNotify(ctx context.Context, pos []string) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	channels, err := notifier.FromConfig(cfg, notifier.Options{Stdout: c.stdout, HTTPClient: c.httpClient})
	if err != nil {
		return err
	}
	names := cfg.ChannelNames()
	if len(names) == 0 {
		names = []string{config.ConsoleChannel}
	}
	if len(pos) == 1 {
		if _, ok := channels[pos[0]]; !ok {
			// A name that is not there is a mistake in the command, as with
			// sync NAME: exit 2.
			return usagef("test-notify: no channel %q; the channels are %s", pos[0], strings.Join(names, ", "))
		}
		names = pos[:1]
	}

	// All at once: a dead host costs one timeout, not one per channel.
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { errs[i] = channels[name].Deliver(ctx, compose.TestMessage(name)) })
	}
	wg.Wait()

	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return names[order[a]] < names[order[b]] })
	failed := 0
	secrets := cfg.Redactor()
	for _, i := range order {
		ch := channels[names[i]]
		label := fmt.Sprintf("%s (%s)", ch.Name(), ch.Type())
		if errs[i] == nil {
			fmt.Fprintf(c.stdout, "%s: ok\n", label)
			continue
		}
		failed++
		what := errs[i].Error()
		var ne *notifier.Error
		if errors.As(errs[i], &ne) {
			what = ne.Describe() // the label names the channel
		}
		fmt.Fprintf(c.stdout, "%s: error: %s\n", label, secrets.String(what))
		if h := hint.Of(errs[i]); h != "" {
			fmt.Fprintf(c.stdout, "%s  hint: %s\n", strings.Repeat(" ", len(label)), secrets.String(h))
		}
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}
