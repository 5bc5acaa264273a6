// Command phonegen writes an SMS Backup & Restore calls file of N calls
// (internal/testsupport/smsbackup's shape, the app's own) and a config
// whose people have a tenth of the numbers, for bench/phonebackup.sh:
//
//	phonegen -n 1000000 -dir DIR   # DIR/phone/calls-20261207090000.xml, DIR/config.toml
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/smsbackup"
)

func main() {
	n := flag.Int("n", 1000000, "calls")
	dir := flag.String("dir", ".", "where to write phone/ and config.toml")
	flag.Parse()
	if err := run(*n, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "phonegen:", err)
		os.Exit(1)
	}
}

func run(n int, dir string) error {
	const numbers = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(filepath.Join(dir, "phone"), 0o755); err != nil {
		return err
	}
	cfg, err := os.Create(filepath.Join(dir, "config.toml"))
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg, "timezone = \"Europe/London\"\n\n[sources.phone]\ntype = \"phonebackup\"\npath = \"phone\"\nbackfill = \"3650d\"\n\n")
	for i := 0; i < numbers/10; i++ {
		fmt.Fprintf(cfg, "[[contact]]\nname = \"Person %d\"\nphone = [\"07700 9%05d\"]\n\n", i, i)
	}
	if err := cfg.Close(); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "phone", "calls-20261207090000.xml"))
	if err != nil {
		return err
	}
	w := smsbackup.NewCalls(f, n)
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(-time.Duration(n) * 5 * time.Minute)
	types := []int{smsbackup.CallIncoming, smsbackup.CallOutgoing, smsbackup.CallOutgoing, smsbackup.CallMissed, smsbackup.CallRejected}
	for i := 0; i < n; i++ {
		k := rng.IntN(numbers)
		number := fmt.Sprintf("+4477009%05d", k)
		if k%3 == 0 {
			number = fmt.Sprintf("077009%05d", k) // as the phone saw it: local form
		}
		typ := types[rng.IntN(len(types))]
		dur := 0
		if typ <= smsbackup.CallOutgoing {
			dur = rng.IntN(3600)
		}
		if err := w.Call(smsbackup.Call{Number: number, At: start.Add(time.Duration(i) * 5 * time.Minute), Type: typ, Duration: dur}); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Close()
}
