package main

import (
	"flag"
	"fmt"

	"github.com/rekindle/rekindle/web"
)

func (c *cli) version(args []string) error {
	fsv := flag.NewFlagSet("version", flag.ContinueOnError)
	if _, err := parseFlags(fsv, args, 0, 0, ""); err != nil {
		return err
	}
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
