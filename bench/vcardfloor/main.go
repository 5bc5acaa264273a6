// Command vcardfloor parses a vCard file with emersion/go-vcard alone and
// counts its cards: the floor that bench/import.sh measures `rekindle
// import` of the same file against.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/emersion/go-vcard"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dec := vcard.NewDecoder(f)
	n := 0
	for {
		_, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		n++
	}
	fmt.Fprintln(os.Stderr, n, "cards")
}
