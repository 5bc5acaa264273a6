#!/usr/bin/env bash
# bench/api.sh: issue 21's API rows. The daemon on 10,000 generated people
# serves GET /api/contacts (3.2 MB) against a plain net/http handler serving
# the same bytes: the server's CPU time a request, side by side, batches
# taken in turn, with the ratio (goal <= 3x). And a repeat fetch of the list
# and of the calendar feed with If-None-Match, answered 304 (goal <= 1 ms).
#
#   ROUNDS=3 N=300 bench/api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/rekindle" ./cmd/rekindle
go build -o "$tmp/api" ./bench/api
"$tmp/api" -n "${N:-300}" -rounds "${ROUNDS:-3}" "$tmp/rekindle"
