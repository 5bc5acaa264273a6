#!/usr/bin/env bash
# bench/phonebackup.sh: issue 23's figure, the first `rekindle sync` of a
# phonebackup source holding one SMS Backup & Restore file of N calls
# (default 1,000,000: 320 MB, the app's own attributes), against the
# floors reading the same file (bench/phonefloor):
#
#   scan:     a plain byte scan, each tag up to its '>'
#   gosax:    orisano/gosax's events and each call's attributes, the
#             tokenizer rekindle uses
#   rawtoken: encoding/xml's Decoder.RawToken loop (ROUNDS of it are slow;
#             RAWTOKEN=0 leaves it out)
#
# Goal: the sync under 5 s and under 50 MB resident. Wall seconds (the
# fastest), peak resident MB (the largest) and CPU seconds (the smallest)
# of ROUNDS (default 3) runs of each, taken in turn; each sync a first one
# (a new state directory). bench/phonegen writes the file and a config of
# 200 people whose numbers are a tenth of those called, backfill ten years.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
n=${N:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in rekindle:./cmd/rekindle measure:./bench/measure phonegen:./bench/phonegen phonefloor:./bench/phonefloor; do
	go build -o "$tmp/${p%%:*}" "${p#*:}"
done
"$tmp/phonegen" -n "$n" -dir "$tmp/in"
file=$(ls "$tmp"/in/phone/calls-*.xml)
cat "$file" >/dev/null # in the page cache for every side alike

names=(scan gosax)
[ "${RAWTOKEN:-1}" != 0 ] && names+=(rawtoken)
names+=(sync)
declare -A wall mb cpu
for k in "${names[@]}"; do wall[$k]=999; mb[$k]=0; cpu[$k]=999; done
for _ in $(seq "$rounds"); do
	for k in "${names[@]}"; do
		if [ "$k" = sync ]; then
			rm -rf "$tmp/state"
			read -r w m c < <(STATE_DIRECTORY="$tmp/state" "$tmp/measure" -cpu -n 1 -- "$tmp/rekindle" --config "$tmp/in/config.toml" sync)
		else
			read -r w m c < <("$tmp/measure" -cpu -n 1 -- "$tmp/phonefloor" "-$k" "$file")
		fi
		wall[$k]=$(awk -v a="${wall[$k]}" -v b="$w" 'BEGIN { print (b < a ? b : a) }')
		cpu[$k]=$(awk -v a="${cpu[$k]}" -v b="$c" 'BEGIN { print (b < a ? b : a) }')
		mb[$k]=$((m > mb[$k] ? m : mb[$k]))
	done
done
echo "== first sync of a phonebackup source, $n calls ($(du -m "$file" | cut -f1) MB), best of $rounds rounds taken in turn"
for k in "${names[@]}"; do
	printf '%-9s %7.3f s wall  %7.3f cpu-s  %4d MB peak\n' "$k" "${wall[$k]}" "${cpu[$k]}" "${mb[$k]}"
done
printf 'goal: sync < 5 s, < 50 MB; sync / gosax floor %.2fx\n' "$(awk -v a="${wall[sync]}" -v b="${wall[gosax]}" 'BEGIN { print a / b }')"
