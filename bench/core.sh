#!/usr/bin/env bash
# bench/core.sh: the core's pairs of issue 21, each side measured in turn
# (A B A B ..., ROUNDS rounds), in CPU time (user + sys, the steady figure
# on a busy machine) and wall time, each ratio with its spread over the
# rounds (min..max of the per-round ratios) and its goal beside it.
#
#   once:    `run --once`, 100,000 people all due (bench/gen -all-due), a
#            fresh state file each time, against `status --json` on the
#            same file                                    goal <= 2.5x wall
#   history: `status --json` and `run --once` on 100,000 people (bench/gen)
#            with 1,000,000 reminders of older episodes in the state file,
#            against the same on a state file with none   goal <= 1.05x
#   decode:  `status --json` on 100,000 people against BurntSushi/toml
#            alone decoding the file (bench/tomldecode)   goal <= 1.15x CPU
#
# REKINDLE=path measures that build instead of this worktree's (the old
# one, to compare). ROUNDS (default 3) sets the rounds; ONLY=once|history|
# decode runs one group. Needs sqlite3 for the history.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT

if [ -n "${REKINDLE:-}" ]; then
	cp "$REKINDLE" "$tmp/rekindle"
else
	go build -o "$tmp/rekindle" ./cmd/rekindle
fi
go build -o "$tmp/tomldecode" ./bench/tomldecode
go build -o "$tmp/measure" ./bench/measure
go run ./bench/gen 100000 >"$tmp/100k.toml"
go run ./bench/gen -all-due 100000 >"$tmp/100k-due.toml"
go run ./bench/gen 1 >"$tmp/1.toml"
rk="$tmp/rekindle"

# one STATE CMD...: runs CMD once with STATE as its state directory and
# prints its wall and CPU seconds.
one() {
	local state=$1
	shift
	STATE_DIRECTORY="$state" "$tmp/measure" -cpu -n 1 -- "$@" 2>/dev/null | awk '{ print $1, $3 }'
}

# pair NAME GOAL PREP_A A... -- PREP_B B...: A and B in turn; PREP_x is a
# shell function run before each measure (unmeasured), "-" for none.
# Prints each side's best wall and CPU and the ratio A/B in both, best
# (the ratio of the bests) and spread (min..max of each round's ratio).
pair() {
	local name=$1 goal=$2 prep_a=$3
	shift 3
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	local prep_b=$1
	shift
	b=("$@")
	local rows=""
	for _ in $(seq "$rounds"); do
		[ "$prep_a" = - ] || $prep_a
		read -r aw ac < <(one "$state_a" "${a[@]}")
		[ "$prep_b" = - ] || $prep_b
		read -r bw bc < <(one "$state_b" "${b[@]}")
		rows+="$aw $ac $bw $bc"$'\n'
	done
	printf '%s' "$rows" | awk -v name="$name" -v goal="$goal" '
		NR == 1 { baw = $1; bac = $2; bbw = $3; bbc = $4; rwmin = rwmax = $1 / $3; rcmin = rcmax = $2 / $4 }
		{
			baw = $1 < baw ? $1 : baw; bac = $2 < bac ? $2 : bac; bbw = $3 < bbw ? $3 : bbw; bbc = $4 < bbc ? $4 : bbc
			rw = $1 / $3; rc = $2 / $4
			rwmin = rw < rwmin ? rw : rwmin; rwmax = rw > rwmax ? rw : rwmax
			rcmin = rc < rcmin ? rc : rcmin; rcmax = rc > rcmax ? rc : rcmax
		}
		END {
			printf "%-40s wall %6.3f s vs %6.3f s: %5.2fx (%.2f..%.2f)   cpu %6.3f s vs %6.3f s: %5.2fx (%.2f..%.2f)   goal %s\n",
				name, baw, bbw, baw / bbw, rwmin, rwmax, bac, bbc, bac / bbc, rcmin, rcmax, goal
		}'
}

# A new state file, made by a `status` of one person.
fresh() { rm -rf "$1" && mkdir -p "$1" && STATE_DIRECTORY="$1" "$rk" --config "$tmp/1.toml" status >/dev/null; }

if [ -z "${ONLY:-}" ] || [ "$ONLY" = once ]; then
	echo "== run --once, 100,000 all due, against status --json on the same file ($rounds rounds in turn)"
	state_a="$tmp/once" state_b="$tmp/status-due"
	fresh "$state_b"
	prep_once() { fresh "$state_a"; }
	pair "run --once / status --json" "<= 2.5x wall" \
		prep_once "$rk" --config "$tmp/100k-due.toml" run --once -- \
		- "$rk" --config "$tmp/100k-due.toml" status --json
fi

if [ -z "${ONLY:-}" ] || [ "$ONLY" = history ]; then
	echo "== 1,000,000 reminders of older episodes in the history, against none ($rounds rounds in turn)"
	fresh "$tmp/empty"
	fresh "$tmp/full"
	# Ten reminders for each of the 100,000 people (five older episodes,
	# each sent twice), dated before the config's dates; one in a hundred
	# failed for good. Their ids are the generator's names as rekindle
	# makes ids of them.
	sqlite3 "$tmp/full/rekindle.db" <<-'SQL'
		.output /dev/null
		PRAGMA journal_mode = WAL;
		CREATE TEMP TABLE first (k INTEGER PRIMARY KEY, name TEXT);
		INSERT INTO first VALUES (0,'alice'),(1,'bob'),(2,'chris'),(3,'dana'),(4,'emil'),(5,'farah'),(6,'gus'),(7,'hana'),
			(8,'ivo'),(9,'jun'),(10,'kai'),(11,'lena'),(12,'mo'),(13,'nia'),(14,'omar'),(15,'pia');
		CREATE TEMP TABLE last (k INTEGER PRIMARY KEY, name TEXT);
		INSERT INTO last VALUES (0,'moreau'),(1,'okafor'),(2,'berg'),(3,'whitfield'),(4,'silva'),(5,'tanaka'),(6,'novak'),
			(7,'haddad'),(8,'larsen'),(9,'costa');
		CREATE TEMP TABLE kinds (k INTEGER PRIMARY KEY, name TEXT);
		INSERT INTO kinds VALUES (0,'check_in'),(1,'follow_up'),(2,'cooldown_over'),(3,'check_in'),(4,'occasion');
		BEGIN;
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999),
			e(k) AS (VALUES (0),(1),(2),(3),(4)), r(k) AS (VALUES (0),(1))
		INSERT INTO outbox (contact, kind, anchor, repeat, channel, batch, digest, message, created, next_try, attempts, state, sent, last_error)
			SELECT f.name || '-' || l.name || '-' || n.i, kinds.name,
				1704067200000 + (e.k * 100 + n.i % 90) * 86400000,
				r.k, 'console', 1, 0, '',
				1704067200000 + (e.k * 100 + n.i % 90 + 1 + 3 * r.k) * 86400000,
				1704067200000 + (e.k * 100 + n.i % 90 + 1 + 3 * r.k) * 86400000, 1,
				CASE WHEN (n.i + e.k) % 100 = 0 THEN 'failed' ELSE 'sent' END,
				1704067200000 + (e.k * 100 + n.i % 90 + 1 + 3 * r.k) * 86400000,
				CASE WHEN (n.i + e.k) % 100 = 0 THEN '410 gone' ELSE '' END
			FROM n JOIN first f ON f.k = n.i % 16 JOIN last l ON l.k = (n.i / 16) % 10, e
				JOIN kinds ON kinds.k = e.k, r;
		COMMIT;
	SQL
	if [ -n "$(sqlite3 "$tmp/full/rekindle.db" "SELECT name FROM sqlite_master WHERE name = 'episodes'")" ]; then
		sqlite3 "$tmp/full/rekindle.db" <<-'SQL'
		-- rekindle keeps each person's newest episode beside the outbox as it
		-- writes (journal's episodesSQL); rows written here get theirs the
		-- same way. (A build without that table has nothing to bring up to date.)
		INSERT INTO episodes (contact, kind, anchor, repeat, channel, created)
			SELECT contact, kind, anchor, repeat, channel, created FROM outbox
			WHERE kind NOT IN ('occasion', 'channel_failed') ORDER BY contact, anchor, kind, repeat, channel DESC
		ON CONFLICT (contact) DO UPDATE
			SET kind = excluded.kind, anchor = excluded.anchor, repeat = excluded.repeat, channel = excluded.channel, created = excluded.created
			WHERE episodes.anchor IS NULL OR excluded.anchor > episodes.anchor OR (excluded.anchor = episodes.anchor AND
				(excluded.kind > episodes.kind OR (excluded.kind = episodes.kind AND
				(excluded.repeat > episodes.repeat OR (excluded.repeat = episodes.repeat AND excluded.channel < episodes.channel)))));
		INSERT INTO episodes (contact, occ_anchor, occ_repeat, occ_channel, occ_created)
			SELECT contact, anchor, repeat, channel, created FROM outbox
			WHERE kind = 'occasion' ORDER BY contact, anchor, repeat, channel DESC
		ON CONFLICT (contact) DO UPDATE
			SET occ_anchor = excluded.occ_anchor, occ_repeat = excluded.occ_repeat, occ_channel = excluded.occ_channel, occ_created = excluded.occ_created
			WHERE episodes.occ_anchor IS NULL OR excluded.occ_anchor > episodes.occ_anchor OR (excluded.occ_anchor = episodes.occ_anchor AND
				(excluded.occ_repeat > episodes.occ_repeat OR (excluded.occ_repeat = episodes.occ_repeat AND excluded.occ_channel < episodes.occ_channel)));
	SQL
	fi
	sqlite3 "$tmp/full/rekindle.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	printf 'history: %s reminders in %s; %s people in episodes\n' "$(sqlite3 "$tmp/full/rekindle.db" 'SELECT COUNT(*) FROM outbox')" \
		"$(du -h "$tmp/full/rekindle.db" | cut -f1)" "$(sqlite3 "$tmp/full/rekindle.db" 'SELECT COUNT(*) FROM episodes' 2>/dev/null || echo none)"
	state_a="$tmp/full" state_b="$tmp/empty"
	pair "status --json, 1M history / none" "<= 1.05x" \
		- "$rk" --config "$tmp/100k.toml" status --json -- \
		- "$rk" --config "$tmp/100k.toml" status --json
	# run --once writes: each round runs on a copy of the file as it was,
	# written out to the disk before the run (sync -f): a state file is not
	# 149 MB of pages just copied, which the run's first fsync of the file
	# would otherwise wait to write.
	cp "$tmp/full/rekindle.db" "$tmp/full.db"
	cp "$tmp/empty/rekindle.db" "$tmp/empty.db"
	state_a="$tmp/once-full" state_b="$tmp/once-empty"
	prep_full() { rm -rf "$state_a" && mkdir -p "$state_a" && cp "$tmp/full.db" "$state_a/rekindle.db" && sync -f "$state_a/rekindle.db"; }
	prep_empty() { rm -rf "$state_b" && mkdir -p "$state_b" && cp "$tmp/empty.db" "$state_b/rekindle.db" && sync -f "$state_b/rekindle.db"; }
	pair "run --once, 1M history / none" "<= 1.05x" \
		prep_full "$rk" --config "$tmp/100k.toml" run --once -- \
		prep_empty "$rk" --config "$tmp/100k.toml" run --once
fi

if [ -z "${ONLY:-}" ] || [ "$ONLY" = decode ]; then
	echo "== status --json, 100,000, against the plain TOML decode ($rounds rounds in turn)"
	state_a="$tmp/status" state_b="$tmp/status"
	fresh "$state_a"
	pair "status --json / toml decode" "<= 1.15x cpu" \
		- "$rk" --config "$tmp/100k.toml" status --json -- \
		- "$tmp/tomldecode" "$tmp/100k.toml"
fi
