// Command api measures the CPU time the rekindle daemon spends on a request
// of its API and its calendar feed, on 10,000 generated people, against a
// plain net/http handler serving the same bytes (the floor), and the cost
// of a repeat fetch answered 304 Not Modified.
//
//	go run ./bench/api [-n 300] [-rounds 3] [-people 10000] REKINDLE
//
// Both servers are child processes; their CPU time (user + system, all
// threads) is read from /proc before and after each batch of requests,
// and the batches take turns (daemon, floor, daemon, floor ...) so that a
// slow spell of the machine hits both.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/bench/contacts"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-floor" {
		floor(os.Args[2])
		return
	}
	n := flag.Int("n", 300, "requests in a batch")
	rounds := flag.Int("rounds", 3, "batches of each, taken in turn")
	people := flag.Int("people", 10000, "people in the generated config")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: api [-n N] [-rounds R] [-people P] REKINDLE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *n, *rounds, *people); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

// floor serves the file's bytes as the API serves its list, and nothing
// else: the cheapest server of the same answer. Its address comes from
// FLOOR_ADDR.
func floor(file string) {
	body, err := os.ReadFile(file)
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	panic(http.ListenAndServe(os.Getenv("FLOOR_ADDR"), nil))
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cpu is the process's CPU time so far, user and system, all threads.
func cpu(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name (which is in parentheses).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

// settle waits until the process spends (almost) no CPU: the daemon's
// start-up run is over.
func settle(pid int) {
	for range 600 {
		a, _ := cpu(pid)
		time.Sleep(300 * time.Millisecond)
		if b, _ := cpu(pid); b-a <= 10*time.Millisecond {
			return
		}
	}
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}

func get(url, etag string) (status int, body []byte, tag string, err error) {
	req, _ := http.NewRequest("GET", url, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get("ETag"), err
}

// batch makes n requests one after another and returns the server's CPU
// time a request.
func batch(pid, n int, url, etag string, want int) (time.Duration, error) {
	before, err := cpu(pid)
	if err != nil {
		return 0, err
	}
	for range n {
		status, _, _, err := get(url, etag)
		if err != nil {
			return 0, err
		}
		if status != want {
			return 0, fmt.Errorf("GET %s: %d, want %d", url, status, want)
		}
	}
	after, err := cpu(pid)
	return (after - before) / time.Duration(n), err
}

func start(name string, cmd *exec.Cmd, health string, log io.Writer) error {
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	for range 600 {
		if status, _, _, err := get(health, ""); err == nil && status == 200 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer at %s", name, health)
}

func run(rekindle string, n, rounds, people int) error {
	tmp, err := os.MkdirTemp("", "bench-api-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	var cfg bytes.Buffer
	fmt.Fprintf(&cfg, "listen = %q\n", addr)
	y, m, d := time.Now().Date()
	if err := contacts.Write(&cfg, people, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)); err != nil {
		return err
	}
	config := filepath.Join(tmp, "config.toml")
	if err := os.WriteFile(config, cfg.Bytes(), 0o600); err != nil {
		return err
	}
	daemon := exec.Command(rekindle, "--config", config, "run")
	daemon.Env = append(os.Environ(), "STATE_DIRECTORY="+filepath.Join(tmp, "state"))
	var log bytes.Buffer // the daemon's log, shown if it fails
	if err := start("rekindle run", daemon, "http://"+addr+"/healthz", &log); err != nil {
		return fmt.Errorf("%w\n%s", err, log.Bytes())
	}
	defer func() { daemon.Process.Signal(os.Interrupt); daemon.Wait() }()
	settle(daemon.Process.Pid)

	list := "http://" + addr + "/api/contacts"
	feed := "http://" + addr + "/calendar.ics"
	status, body, listTag, err := get(list, "")
	if err != nil || status != 200 {
		return fmt.Errorf("GET %s: %d %v", list, status, err)
	}
	_, _, feedTag, err := get(feed, "")
	if err != nil {
		return err
	}
	conditional := listTag != "" && feedTag != ""
	if !conditional {
		fmt.Println("(the daemon sends no ETag: no 304 to measure)")
	}
	file := filepath.Join(tmp, "contacts.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	floorAddr, err := freeAddr()
	if err != nil {
		return err
	}
	plain := exec.Command(self, "-floor", file)
	plain.Env = append(os.Environ(), "FLOOR_ADDR="+floorAddr)
	if err := start("the floor", plain, "http://"+floorAddr+"/", os.Stderr); err != nil {
		return err
	}
	defer func() { plain.Process.Kill(); plain.Wait() }()

	fmt.Printf("GET /api/contacts, %d people (%.1f MB), server CPU a request, %d requests a batch\n", people, float64(len(body))/1e6, n)
	fmt.Printf("%-6s %14s %14s %8s %16s %16s\n", "round", "rekindle", "plain handler", "ratio", "list 304", "calendar 304")
	var ratios, l304s, c304s []float64
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	for r := 1; r <= rounds; r++ {
		ours, err := batch(daemon.Process.Pid, n, list, "", 200)
		if err != nil {
			return err
		}
		base, err := batch(plain.Process.Pid, n, "http://"+floorAddr+"/", "", 200)
		if err != nil {
			return err
		}
		var l304, c304 time.Duration
		if conditional {
			if l304, err = batch(daemon.Process.Pid, 10*n, list, listTag, 304); err != nil {
				return err
			}
			if c304, err = batch(daemon.Process.Pid, 10*n, feed, feedTag, 304); err != nil {
				return err
			}
		}
		ratio := float64(ours) / float64(max(base, time.Microsecond))
		ratios, l304s, c304s = append(ratios, ratio), append(l304s, ms(l304)), append(c304s, ms(c304))
		fmt.Printf("%-6d %11.3f ms %11.3f ms %7.2fx %13.3f ms %13.3f ms\n", r, ms(ours), ms(base), ratio, ms(l304), ms(c304))
	}
	fmt.Printf("ratio %.2fx .. %.2fx (best .. worst; goal <= 3x)   list 304 %.3f .. %.3f ms   calendar 304 %.3f .. %.3f ms (goal <= 1 ms)\n",
		slices.Min(ratios), slices.Max(ratios), slices.Min(l304s), slices.Max(l304s), slices.Min(c304s), slices.Max(c304s))
	return nil
}
