// Command httphello is the floor for bench/idle.sh: a Go HTTP server that
// answers "hello" and otherwise waits, the least a daemon that listens
// holds in memory at rest.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})))
}
