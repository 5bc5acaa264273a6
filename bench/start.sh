#!/usr/bin/env bash
# bench/start.sh: what every command pays before it does anything.
#
# `rekindle version` and `rekindle check` on 10 people, against a Go hello
# world (bench/floor/hello), taken in turn ROUNDS times (default 3), each
# the best CPU time (user + system) of RUNS runs (default 5). CPU time is
# the steady figure on a busy machine; the wall time is printed beside it.
# Goal: at most 15 ms of CPU (the issue's; the hello world takes about 7).
# Also: how many package initialisers run, and how many allocations they
# make (GODEBUG=inittrace=1).
#
# Both programs are built as dist/release.sh builds what ships: static, no
# cgo, stripped (a build with cgo also pays the dynamic loader at every
# start, about 0.5 ms of rekindle's 3 on this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

release() { CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$@"; }
release "$tmp/rekindle" ./cmd/rekindle
release "$tmp/hello" ./bench/floor/hello
go build -o "$tmp/measure" ./bench/measure
go run ./bench/gen 10 >"$tmp/10.toml"
export STATE_DIRECTORY="$tmp/state"
"$tmp/rekindle" --config "$tmp/10.toml" check >/dev/null

# cpu CMD...: the best CPU seconds of $runs runs.
cpu() { "$tmp/measure" -cpu -n "$runs" -- "$@" | awk '{ print $3 }'; }
wall() { "$tmp/measure" -n "$runs" -- "$@" | awk '{ print $1 }'; }

inits() {
	GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null | awk '/^init / { n++; a += $10 } END { printf "%d initialisers, %d allocations", n, a }'
}
echo "== start-up: rekindle against a Go hello world, $rounds rounds in turn, best CPU of $runs runs each"
echo "hello world:       $(inits "$tmp/hello")"
echo "rekindle version:  $(inits "$tmp/rekindle" version)"
echo "rekindle check:    $(inits "$tmp/rekindle" --config "$tmp/10.toml" check)"

for what in version check; do
	args=(version)
	[ "$what" = check ] && args=(--config "$tmp/10.toml" check)
	ratios="" cpus="" floors="" walls=""
	for _ in $(seq "$rounds"); do
		h=$(cpu "$tmp/hello")
		r=$(cpu "$tmp/rekindle" "${args[@]}")
		w=$(wall "$tmp/rekindle" "${args[@]}")
		floors="$floors $h" cpus="$cpus $r" walls="$walls $w"
		ratios="$ratios $(awk -v a="$r" -v b="$h" 'BEGIN { printf "%.2f", a / b }')"
	done
	printf '%-8s rekindle CPU ms:%s   hello CPU ms:%s   ratio:%s\n' "$what" \
		"$(for v in $cpus; do awk -v v="$v" 'BEGIN { printf " %.1f", v * 1000 }'; done)" \
		"$(for v in $floors; do awk -v v="$v" 'BEGIN { printf " %.1f", v * 1000 }'; done)" "$ratios"
	echo "$cpus" | tr ' ' '\n' | grep . | sort -n | awk -v what="$what" -v walls="$walls" '
		{ v[NR] = $1 } END {
			split(walls, w, " "); wb = w[1]; for (i in w) if (w[i] < wb) wb = w[i]
			printf "%-8s best %.1f ms CPU (worst %.1f), best wall %.1f ms; goal <= 15 ms CPU: %s\n",
				what, v[1] * 1000, v[NR] * 1000, wb * 1000, (v[1] <= 0.015 ? "met" : "not met") }'
	echo "$ratios" | tr ' ' '\n' | grep . | sort -n | awk -v what="$what" '
		{ v[NR] = $1 } END { printf "%-8s ratio to the hello world: %.2fx .. %.2fx over %d rounds\n", what, v[1], v[NR], NR }'
done
