#!/usr/bin/env bash
# bench/run.sh: the speed and memory figures the README quotes.
#
#   rules:  BenchmarkEvaluate, contacts per second on one core (target >= 1,000,000)
#   status: `rekindle status --json` on 100,000 generated contacts against
#           BurntSushi/toml alone decoding the same file (target <= 1.3x,
#           peak memory < 250 MB); fastest of several runs of each
#   once:   `rekindle run --once` with no max_per_run on 100,000 contacts (< 3 s)
#   1M:     with MILLION=1, `status --json` on 1,000,000 contacts (<= 12x 100k)
#   plan:   `rekindle plan --days 365` on 10,000 contacts (target < 2 s), and
#           on 100,000 (target <= 1.5x status --json on the same file)
#   pairs:  each measure against its floor, taken in turn, with the spread
#           (PAIRS="start import sync api core carddav phonebackup idle" by default;
#           PAIRS= skips them): bench/start.sh, import.sh, sync.sh, api.sh, core.sh,
#           carddav.sh, phonebackup.sh, idle.sh (3 rounds each, or ROUNDS; idle.sh waits
#           10 s a round, and with MINUTES=N counts the daemon's wake-ups)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/rekindle" ./cmd/rekindle
go build -o "$tmp/tomldecode" ./bench/tomldecode
go build -o "$tmp/measure" ./bench/measure
go run ./bench/gen 100000 >"$tmp/100k.toml"
go run ./bench/gen 10000 >"$tmp/10k.toml"
sed 's/^max_per_run = 5/max_per_run = 0/' "$tmp/10k.toml" >"$tmp/10k-nolimit.toml"
export STATE_DIRECTORY="$tmp/state"
"$tmp/rekindle" --config "$tmp/10k.toml" check >/dev/null

echo "== rules"
go test ./rules -run '^$' -bench '^BenchmarkEvaluate$' -benchtime 2s -cpu 1 | grep -E '^Benchmark'

echo "== status --json, 100,000 contacts ($(du -h "$tmp/100k.toml" | cut -f1) of TOML), best of $runs, interleaved"
# The two commands take turns so that a slow spell of the machine hits both.
base_s=999 base_mb=0 st_s=999 st_mb=0
for _ in $(seq "$runs"); do
	read -r s mb < <("$tmp/measure" -n 1 -- "$tmp/tomldecode" "$tmp/100k.toml")
	base_s=$(awk -v a="$base_s" -v b="$s" 'BEGIN { print (b < a ? b : a) }'); base_mb=$((mb > base_mb ? mb : base_mb))
	read -r s mb < <("$tmp/measure" -n 1 -- "$tmp/rekindle" --config "$tmp/100k.toml" status --json)
	st_s=$(awk -v a="$st_s" -v b="$s" 'BEGIN { print (b < a ? b : a) }'); st_mb=$((mb > st_mb ? mb : st_mb))
done
printf 'toml decode alone: %6.3f s  %4d MB peak\n' "$base_s" "$base_mb"
printf 'status --json:     %6.3f s  %4d MB peak\n' "$st_s" "$st_mb"
awk -v a="$st_s" -v b="$base_s" 'BEGIN { printf "ratio:             %6.2fx\n", a / b }'

echo "== plan --days 365, 10,000 contacts, best of 3"
read -r pl_s pl_mb < <("$tmp/measure" -n 3 -- "$tmp/rekindle" --config "$tmp/10k.toml" plan --from 2026-11-30 --days 365)
printf 'max_per_run = 5:   %6.3f s  %4d MB peak  (%d reminders)\n' "$pl_s" "$pl_mb" \
	"$("$tmp/rekindle" --config "$tmp/10k.toml" plan --from 2026-11-30 --days 365 --json | grep -c '"at"')"
read -r pl_s pl_mb < <("$tmp/measure" -n 3 -- "$tmp/rekindle" --config "$tmp/10k-nolimit.toml" plan --from 2026-11-30 --days 365)
printf 'no limit:          %6.3f s  %4d MB peak  (%d reminders)\n' "$pl_s" "$pl_mb" \
	"$("$tmp/rekindle" --config "$tmp/10k-nolimit.toml" plan --from 2026-11-30 --days 365 --json | grep -c '"at"')"
echo "== plan --days 365, 100,000 contacts, against status --json on the same file, best of 3"
read -r pl_s pl_mb < <("$tmp/measure" -n 3 -- "$tmp/rekindle" --config "$tmp/100k.toml" plan --from 2026-11-30 --days 365)
printf 'plan:              %6.3f s  %4d MB peak\n' "$pl_s" "$pl_mb"
awk -v a="$pl_s" -v b="$st_s" 'BEGIN { printf "ratio to status:   %6.2fx\n", a / b }'
go test ./scheduler -run '^$' -bench '^BenchmarkPlan365$' -benchtime 3x | grep -E '^Benchmark'

echo "== run --once with no max_per_run, 100,000 contacts (to the console, into a file), best of 3"
sed 's/^max_per_run = 5/max_per_run = 0/' "$tmp/100k.toml" >"$tmp/100k-nolimit.toml"
best=999
for _ in 1 2 3; do
	rm -rf "$tmp/once" && mkdir "$tmp/once"
	STATE_DIRECTORY="$tmp/once" "$tmp/rekindle" --config "$tmp/100k-nolimit.toml" check >/dev/null
	read -r s mb < <(STATE_DIRECTORY="$tmp/once" "$tmp/measure" -n 1 -- "$tmp/rekindle" --config "$tmp/100k-nolimit.toml" run --once 2>/dev/null)
	best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
done
printf 'run --once:        %6.3f s  (target < 3 s)\n' "$best"

if [ -n "${MILLION:-}" ]; then
	echo "== status --json, 1,000,000 contacts, against 100,000 measured beside it (target <= 12x), best of 3"
	# Each 1M run stands between two 100k runs, so that both sides of the
	# ratio see the same spell of the machine; the bests are compared.
	go run ./bench/gen 1000000 >"$tmp/1m.toml"
	m_s=999 m_mb=0 k_s=999
	for _ in 1 2 3; do
		read -r s _ < <("$tmp/measure" -n 1 -- "$tmp/rekindle" --config "$tmp/100k.toml" status --json)
		k_s=$(awk -v a="$k_s" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
		read -r s mb < <("$tmp/measure" -n 1 -- "$tmp/rekindle" --config "$tmp/1m.toml" status --json)
		m_s=$(awk -v a="$m_s" -v b="$s" 'BEGIN { print (b < a ? b : a) }'); m_mb=$((mb > m_mb ? mb : m_mb))
		read -r s _ < <("$tmp/measure" -n 1 -- "$tmp/rekindle" --config "$tmp/100k.toml" status --json)
		k_s=$(awk -v a="$k_s" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
	done
	printf 'status --json 1M:  %6.3f s  %4d MB peak\n' "$m_s" "$m_mb"
	printf 'beside it, 100k:   %6.3f s\n' "$k_s"
	awk -v a="$m_s" -v b="$k_s" 'BEGIN { printf "ratio:             %6.2fx\n", a / b }'
fi

for pair in ${PAIRS-start import sync api core carddav phonebackup idle}; do
	[ -f "bench/$pair.sh" ] || continue
	echo "== bench/$pair.sh"
	bash "bench/$pair.sh"
done
