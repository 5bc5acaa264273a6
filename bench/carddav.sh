#!/usr/bin/env bash
# bench/carddav.sh: an address book of 10,000 cards read by a carddav
# source (package addressbook), the first read into an empty state file
# (goal < 3 s) and a repeat read with nothing changed (goal < 0.3 s).
#
#   faithful: against the test server of package addressbook with sync
#             tokens and Digest (in the benchmark's own process, so its
#             time is counted too): rekindle's side of the read
#   radicale: against a real Radicale 3.1.8 with 1,000 cards (cpu is
#             rekindle's own, the benchmark's process; the rest of the wall
#             time is Radicale's); with RADICALE=1 also with 10,000, which
#             Radicale itself takes minutes to answer the first time
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
pattern='^Benchmark(Faithful10k|Radicale1k)$'
if [ "${RADICALE:-}" = 1 ]; then
	pattern='^Benchmark(Faithful10k|Radicale1k|Radicale10k)$'
fi
echo "== carddav address book reads, $runs of each (goals for 10,000 cards)"
go test ./addressbook -run '^$' -bench "$pattern" -benchtime "${runs}x" -benchmem -timeout 30m |
	awk '/^Benchmark/ {
		s = $3 / 1e9
		cpu = "-"
		for (i = 4; i < NF; i++) if ($(i+1) == "cpu-s/op") cpu = $i
		if ($1 !~ /10k/) {
			printf "%-34s wall %7.3f s  cpu %7.3f s\n", $1, s, cpu
			next
		}
		goal = ($1 ~ /first/) ? 3 : 0.3
		printf "%-34s wall %7.3f s  cpu %7.3f s   goal < %.1f s   %s\n", $1, s, cpu, goal, (s < goal ? "ok" : "OVER (wall)")
	}'
