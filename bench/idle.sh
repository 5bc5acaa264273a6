#!/usr/bin/env bash
# bench/idle.sh: the daemon at rest with 1,000 contacts, against a Go HTTP
# hello world at rest (bench/floor/httphello).
#
# Prints, ROUNDS times in turn (default 3), the resident memory of each
# (VmRSS, and how much of it is the binary's file pages: RssFile) 10 s
# after it started, when the daemon's first run and its deliveries are
# over; then the ratio with its spread. Goal: at most 2x the hello world.
# Both are built as dist/release.sh builds what ships: static, no cgo,
# stripped (a build with cgo maps the C library too: 1.6 MB more of each).
#
# With MINUTES=N (default 0: skipped) it then also counts how often the
# daemon's threads run over N minutes when there is nothing to do.
# rekindle's own code wakes once a minute then (the loop's wall-clock
# check; TestIdleWakesOncePerMinute pins it); the Go runtime adds its
# monitor thread's short bursts around each wake-up and a forced GC every
# two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
minutes=${MINUTES:-0}
tmp=$(mktemp -d)
pid="" hpid=""
trap 'kill $pid $hpid 2>/dev/null || true; rm -rf "$tmp"' EXIT

release() { CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$@"; }
release "$tmp/rekindle" ./cmd/rekindle
release "$tmp/httphello" ./bench/floor/httphello
go run ./bench/gen 1000 >"$tmp/1k.toml"

# kb PID FIELD: a field of /proc/PID/status, in KiB.
kb() { awk -v k="$2" '$1 == k ":" { print $2 }' /proc/"$1"/status; }
mb() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }

echo "== idle daemon, 1,000 contacts, against a Go HTTP hello world at rest; $rounds rounds in turn"
ratios=""
for i in $(seq "$rounds"); do
	rm -rf "$tmp/state"
	STATE_DIRECTORY="$tmp/state" "$tmp/rekindle" --config "$tmp/1k.toml" run >/dev/null 2>"$tmp/log" &
	pid=$!
	"$tmp/httphello" >/dev/null &
	hpid=$!
	sleep 10 # start, first run, deliveries
	r=$(kb "$pid" VmRSS) rf=$(kb "$pid" RssFile) h=$(kb "$hpid" VmRSS) hf=$(kb "$hpid" RssFile)
	ratio=$(awk -v a="$r" -v b="$h" 'BEGIN { printf "%.2f", a / b }')
	ratios="$ratios $ratio"
	printf 'round %d: rekindle %5s MB (%s MB of it file pages)   hello %5s MB (%s MB)   ratio %sx\n' \
		"$i" "$(mb "$r")" "$(mb "$rf")" "$(mb "$h")" "$(mb "$hf")" "$ratio"
	if [ "$i" -lt "$rounds" ] || [ "$minutes" -eq 0 ]; then
		kill "$pid" "$hpid"
		wait "$pid" "$hpid" 2>/dev/null || true
		pid="" hpid=""
	fi
done
echo "$ratios" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END {
	printf "ratio: %.2fx .. %.2fx over %d rounds; goal <= 2x: %s\n", v[1], v[NR], NR, (v[NR] <= 2 ? "met" : (v[1] <= 2 ? "met at best" : "not met")) }'

[ "$minutes" -gt 0 ] || exit 0

# timeslices: how many times each thread was put on a CPU (schedstat).
switches() {
	local total=0 n
	for f in /proc/"$pid"/task/*/schedstat; do
		n=$(awk '{ print $3 }' "$f")
		total=$((total + n))
	done
	echo "$total"
}
echo "== the daemon at rest over $minutes minutes"
echo "threads:        $(ls /proc/"$pid"/task | wc -l)"
before=$(switches)
sleep $((minutes * 60))
after=$(switches)
echo "resident peak:  $(mb "$(kb "$pid" VmHWM)") MB"
awk -v d=$((after - before)) -v m="$minutes" 'BEGIN { printf "thread runs:    %d in %d minutes (%.1f per minute, all threads together)\n", d, m, d / m }'
grep -c 'msg=run ' "$tmp/log" | awk '{ print "runs logged:    " $1 }'
