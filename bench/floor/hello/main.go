// Command hello is the floor for bench/start.sh: a Go program that starts,
// prints a line and ends, which is all `rekindle version` does after its
// initialisers.
package main

import "fmt"

func main() { fmt.Println("hello") }
