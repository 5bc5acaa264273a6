package main

import (
	"context"
	"fmt"

	"github.com/rekindle/rekindle/web"
)

var versionCommand = command{
	name: "version", summary: "version and build info",
	flags: noFlags(func(c *cli, _ context.Context, _ []string) error { return c.version() }),
}

func (c *cli) version() error {
	b := web.Build()
	fmt.Fprintf(c.stdout, "rekindle %s\n", b.Version)
	if b.Revision != "" {
		dirty := ""
		if b.Modified {
			dirty = " (modified)"
		}
		fmt.Fprintf(c.stdout, "commit %s%s %s\n", b.Revision, dirty, b.Time)
	}
	fmt.Fprintf(c.stdout, "built with %s\n", b.GoVersion)
	return nil
}
