// Command tomldecode is the baseline for the status benchmark: it reads a
// file and decodes it with BurntSushi/toml into plain values, exactly the
// decode step rekindle's config loader starts with, and nothing else.
package main

import (
	"fmt"
	"os"

	"github.com/BurntSushi/toml"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(doc))
}
