// Command gen writes a synthetic rekindle config with N contacts to
// standard output: go run ./bench/gen 100000 > /tmp/100k.toml
//
// With -all-due, everyone is due at once (every 1d, nobody paused, cooling
// down or waiting for a reply, no quiet hours, no max_per_run), for the
// run that reminds about everyone: go run ./bench/gen -all-due 100000
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
)

func main() {
	allDue := flag.Bool("all-due", false, "everyone due, nothing held back")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "usage: gen [-all-due] [N]") }
	flag.Parse()
	n := 1000
	if flag.NArg() > 0 {
		var err error
		if n, err = strconv.Atoi(flag.Arg(0)); err != nil || n < 0 || flag.NArg() > 1 {
			flag.Usage()
			os.Exit(2)
		}
	}
	ref := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var err error
	if *allDue {
		var b bytes.Buffer
		if err = contacts.Write(&b, n, ref); err == nil {
			err = dueAll(os.Stdout, &b)
		}
	} else {
		err = contacts.Write(os.Stdout, n, ref)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// dueAll rewrites a generated config so that everyone is due after ref:
// every cadence one day, and the lines that hold someone back left out.
func dueAll(w io.Writer, r io.Reader) error {
	out := bufio.NewWriter(w)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "every = "):
			line = `every = "1d"`
		case strings.HasPrefix(line, "max_per_run = "):
			line = "max_per_run = 0"
		case strings.HasPrefix(line, "quiet_hours = "), strings.HasPrefix(line, "paused = "),
			strings.HasPrefix(line, "fallout = "), strings.HasPrefix(line, "cooldown = "),
			strings.HasPrefix(line, "reached_out = "):
			continue
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return out.Flush()
}
