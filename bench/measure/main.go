// Command measure runs a command several times and prints its fastest wall
// time and its largest peak resident memory, and with -cpu also its smallest
// CPU time (user + system), the steadier figure on a busy machine:
//
//	measure -n 5 -- rekindle status --json
//	measure -cpu -n 5 -- rekindle status --json   # wall MB cpu
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 5, "runs")
	withCPU := flag.Bool("cpu", false, "print the smallest CPU time (user + system) as a third figure")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure [-n runs] -- command [args]")
		os.Exit(2)
	}
	best := time.Duration(1<<63 - 1)
	bestCPU := best
	var rss int64
	for i := 0; i < *n; i++ {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "measure: %v\n", err)
			os.Exit(1)
		}
		best = min(best, time.Since(start))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss) // KiB on Linux
		}
		bestCPU = min(bestCPU, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	if *withCPU {
		fmt.Printf("%.3f %d %.4f\n", best.Seconds(), rss/1024, bestCPU.Seconds())
		return
	}
	fmt.Printf("%.3f %d\n", best.Seconds(), rss/1024)
}
