#!/usr/bin/env bash
# bench/idle.sh: the daemon at rest with 1,000 contacts.
#
# Prints its resident memory (target < 25 MB) and how often its threads run
# when there is nothing to do, over MINUTES minutes (default 3) after the
# first run and its deliveries are over. rekindle's own code wakes once a
# minute then (the loop's wall-clock check; TestIdleWakesOncePerMinute pins
# it); the Go runtime adds its monitor thread's short bursts around each
# wake-up and a forced GC every two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${MINUTES:-3}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/rekindle" ./cmd/rekindle
go run ./bench/gen 1000 >"$tmp/1k.toml"
STATE_DIRECTORY="$tmp/state" "$tmp/rekindle" --config "$tmp/1k.toml" run >/dev/null 2>"$tmp/log" &
pid=$!
sleep 10 # start, first run, deliveries

# timeslices: how many times each thread was put on a CPU (schedstat).
switches() {
	local total=0 n
	for f in /proc/"$pid"/task/*/schedstat; do
		n=$(awk '{ print $3 }' "$f")
		total=$((total + n))
	done
	echo "$total"
}

rss() { awk -v k="$1" '$1 == k ":" { printf "%.1f", $2 / 1024 }' /proc/"$pid"/status; }

echo "== idle daemon, 1,000 contacts"
echo "threads:        $(ls /proc/"$pid"/task | wc -l)"
echo "resident now:   $(rss VmRSS) MB"
before=$(switches)
sleep $((minutes * 60))
after=$(switches)
echo "resident peak:  $(rss VmHWM) MB"
awk -v d=$((after - before)) -v m="$minutes" 'BEGIN { printf "thread runs:    %d in %d minutes (%.1f per minute, all threads together)\n", d, m, d / m }'
grep -c 'msg=run ' "$tmp/log" | awk '{ print "runs logged:    " $1 }'
