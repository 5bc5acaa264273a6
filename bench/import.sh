#!/usr/bin/env bash
# bench/import.sh: `rekindle import` against the cheapest thing that does
# the same reading (issue 21), each pair measured in turn (A B A B ...) so
# that a slow spell of the machine hits both sides, in CPU time (user +
# system, the steady figure on a busy machine) and wall time:
#
#   vcard: import of 50,000 generated vCards (CRLF, folded lines, vCard 2.1
#          quoted-printable, photos) against emersion/go-vcard alone
#          parsing the file (bench/vcardfloor); goal <= 1.5x
#   csv:   import of a 50,000-row Google Contacts CSV against encoding/csv
#          alone reading it (bench/csvfloor); goal <= 2x
#   names: import of the same CSV with about 100 people to each name
#          against the one with distinct names, row for row as long;
#          goal <= 1.05x
#
# ROUNDS=N sets the rounds (default 3); each ratio is printed as the
# ratio of the best times, with its spread over the rounds (min..max of
# the ratio of each round). ONLY="csv names" runs only the pairs named
# (vcard, csv, names); all three by default.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
n=${PEOPLE:-50000}
only=" ${ONLY:-vcard csv names} "
want() { [[ $only == *" $1 "* ]]; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/rekindle" ./cmd/rekindle
go build -o "$tmp/measure" ./bench/measure
go build -o "$tmp/importgen" ./bench/importgen
go build -o "$tmp/vcardfloor" ./bench/vcardfloor
go build -o "$tmp/csvfloor" ./bench/csvfloor
want vcard && "$tmp/importgen" vcf "$n" >"$tmp/people.vcf"
"$tmp/importgen" csv "$n" >"$tmp/people.csv"
"$tmp/importgen" csv-same "$n" >"$tmp/same.csv"
# No config: import then reads none (it would leave out who is in it).
export XDG_CONFIG_HOME="$tmp/none" HOME="$tmp/none"
unset REKINDLE_CONFIG
if want vcard; then
	"$tmp/rekindle" import "$tmp/people.vcf" >/dev/null 2>&1 || { echo "import of the vCards failed" >&2; exit 1; }
fi

# pair NAME GOAL A-LABEL A-CMD... -- B-LABEL B-CMD...: the ratio is B / A.
pair() {
	local name=$1 goal=$2 alabel=$3
	shift 3
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	local blabel=$1
	shift
	b=("$@")
	local rows=""
	for _ in $(seq "$rounds"); do
		local ra rb
		ra=$("$tmp/measure" -cpu -n 1 -- "${a[@]}" 2>/dev/null)
		rb=$("$tmp/measure" -cpu -n 1 -- "${b[@]}" 2>/dev/null)
		[ -n "$ra" ] && [ -n "$rb" ] || { echo "$name: a command failed" >&2; exit 1; }
		rows+="$ra $rb"$'\n'
	done
	printf '%s' "$rows" | awk -v name="$name" -v goal="$goal" -v al="$alabel" -v bl="$blabel" -v rounds="$rounds" '
		# each row: wallA mbA cpuA wallB mbB cpuB
		NR == 1 { wa = $1; ma = $2; ca = $3; wb = $4; mb = $5; cb = $6; rmin = rmax = $6 / $3; wmin = wmax = $4 / $1 }
		NR > 1 {
			if ($1 < wa) wa = $1; if ($2 > ma) ma = $2; if ($3 < ca) ca = $3
			if ($4 < wb) wb = $4; if ($5 > mb) mb = $5; if ($6 < cb) cb = $6
			r = $6 / $3; if (r < rmin) rmin = r; if (r > rmax) rmax = r
			w = $4 / $1; if (w < wmin) wmin = w; if (w > wmax) wmax = w
		}
		END {
			printf "== %s, %d rounds in turn (best of each side)\n", name, rounds
			printf "  %-34s cpu %6.3f s  wall %6.3f s  %4d MB peak\n", al, ca, wa, ma
			printf "  %-34s cpu %6.3f s  wall %6.3f s  %4d MB peak\n", bl, cb, wb, mb
			printf "  ratio: cpu %.2fx (rounds %.2f..%.2f)  wall %.2fx (rounds %.2f..%.2f)  goal <= %sx cpu\n",
				cb / ca, rmin, rmax, wb / wa, wmin, wmax, goal
		}'
}

echo "inputs: $n vCards ($(du -h "$tmp/people.vcf" 2>/dev/null | cut -f1)), $n CSV rows ($(du -h "$tmp/people.csv" | cut -f1))"
want vcard && pair "vcard: import against go-vcard alone" 1.5 \
	"go-vcard parsing the file" "$tmp/vcardfloor" "$tmp/people.vcf" -- \
	"rekindle import" "$tmp/rekindle" import "$tmp/people.vcf"
want csv && pair "csv: import against encoding/csv alone" 2 \
	"encoding/csv reading the file" "$tmp/csvfloor" "$tmp/people.csv" -- \
	"rekindle import" "$tmp/rekindle" import "$tmp/people.csv"
want names && pair "names: ~100 people a name against distinct names" 1.05 \
	"rekindle import, distinct names" "$tmp/rekindle" import "$tmp/people.csv" -- \
	"rekindle import, ~100 a name" "$tmp/rekindle" import "$tmp/same.csv"
exit 0
