// Command gen writes a synthetic rekindle config with N contacts to
// standard output: go run ./bench/gen 100000 > /tmp/100k.toml
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
)

func main() {
	n := 1000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "usage: gen [N]")
			os.Exit(2)
		}
	}
	ref := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if err := contacts.Write(os.Stdout, n, ref); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
