#!/usr/bin/env bash
# bench/sync.sh: issue 21's two sync pairs, in CPU seconds (user + system)
# of rekindle's process alone, each side measured in turn (A B A B ...):
#
#   maildir: the first `rekindle sync` of a 10,000-message Maildir against
#            bench/mailfloor, net/mail reading the same headers of the
#            same files (goal <= 1.5x)
#   imap:    the first `rekindle sync` of the same 10,000 messages on a
#            Dovecot on loopback (implicit TLS) against bench/imapfloor, a
#            go-imap v2 client fetching the same header fields of the
#            same messages (goal <= 1.5x); Dovecot's own CPU is in neither
#
# The messages come from bench/mailgen: real-looking header blocks, 70 %
# in the inbox, a tenth from lists and bulk senders, half of the people
# in the config. Each sync is a first one: a new state directory each round.
# ROUNDS (default 3) rounds; N (default 10000) messages; ONLY=maildir or
# ONLY=imap runs that pair alone. Without Dovecot (/usr/sbin/dovecot,
# Debian's dovecot-imapd) the imap pair is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
n=${N:-10000}
only=${ONLY:-}
tmp=$(mktemp -d)
dovecot_pid=
cleanup() {
	if [ -n "$dovecot_pid" ]; then kill "$dovecot_pid" 2>/dev/null || true; wait "$dovecot_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

for p in rekindle:./cmd/rekindle measure:./bench/measure mailgen:./bench/mailgen mailfloor:./bench/mailfloor imapfloor:./bench/imapfloor; do
	go build -o "$tmp/${p%%:*}" "${p#*:}"
done
dovecot=$(command -v dovecot || true)
[ -z "$dovecot" ] && [ -x /usr/sbin/dovecot ] && dovecot=/usr/sbin/dovecot
mkdir -p "$tmp/in"
if [ -n "$dovecot" ]; then
	"$tmp/mailgen" -n "$n" -dir "$tmp/in" -dovecot "$tmp/dc/home/me/Maildir"
else
	"$tmp/mailgen" -n "$n" -dir "$tmp/in"
fi

# cpu CMD...: the CPU seconds of one run of CMD, its output thrown away.
cpu() { "$tmp/measure" -cpu -n 1 -- "$@" | awk '{ print $3 }'; }

# pair NAME GOAL FLOOR_CMD -- SYNC_CMD: rounds of each in turn; prints each
# side's best, and the ratio of the bests with its spread (the smallest and
# the largest ratio of one round's two runs).
pair() {
	local name=$1 goal=$2 floor=() sync=() f s ratios=() fbest=999 sbest=999
	shift 2
	while [ "$1" != "--" ]; do floor+=("$1"); shift; done
	shift
	sync=("$@")
	for _ in $(seq "$rounds"); do
		f=$(cpu "${floor[@]}")
		rm -rf "$tmp/state"
		s=$(STATE_DIRECTORY="$tmp/state" cpu "${sync[@]}")
		ratios+=("$(awk -v a="$s" -v b="$f" 'BEGIN { printf "%.2f", a / b }')")
		fbest=$(awk -v a="$fbest" -v b="$f" 'BEGIN { print (b < a ? b : a) }')
		sbest=$(awk -v a="$sbest" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
	done
	printf '%-8s floor %6.3f cpu-s   rekindle sync %6.3f cpu-s   ratio %5.2fx (rounds %s..%s)   goal <= %sx\n' \
		"$name" "$fbest" "$sbest" "$(awk -v a="$sbest" -v b="$fbest" 'BEGIN { print a / b }')" \
		"$(printf '%s\n' "${ratios[@]}" | sort -n | head -1)" "$(printf '%s\n' "${ratios[@]}" | sort -n | tail -1)" "$goal"
}

echo "== first sync, $n messages, CPU of rekindle's process alone, best of $rounds rounds taken in turn"
if [ "$only" != imap ]; then
	cd "$tmp/in"
	pair maildir 1.5 "$tmp/mailfloor" mail/INBOX mail/Sent -- "$tmp/rekindle" --config config.toml sync
	cd - >/dev/null
fi
[ "$only" = maildir ] && exit 0

if [ -z "$dovecot" ]; then
	echo "imap     skipped: no dovecot (apt-get install dovecot-imapd)"
	exit 0
fi
# A Dovecot of our own on a free loopback port, its mail user nobody.
dc=$tmp/dc
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 39993)
mkdir -p "$dc/run" "$dc/state" "$dc/home/me/Maildir/.Sent"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$dc/key.pem" -out "$dc/cert.pem" 2>/dev/null
echo "me:{PLAIN}bench-pass" >"$dc/passwd"
uid=$(id -u) gid=$(id -g) internal=$(id -un) login=$(id -un)
if [ "$uid" = 0 ]; then uid=65534 gid=65534 internal=dovecot login=dovenull; fi
chown -R "$uid:$gid" "$dc/home"
chmod 755 "$tmp" "$dc"
cat >"$dc/dovecot.conf" <<EOF
base_dir = $dc/run
state_dir = $dc/state
log_path = $dc/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$dc/cert.pem
ssl_key = <$dc/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal
default_login_user = $login
first_valid_uid = $uid
first_valid_gid = $gid
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dc/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dc/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $port
    ssl = yes
  }
}
EOF
"$dovecot" -F -c "$dc/dovecot.conf" &
dovecot_pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
cat >"$tmp/in/imap.toml" <<EOF
$(sed -n '/^\[\[contact\]\]/,$p' "$tmp/in/config.toml")
[sources.work]
type = "imap"
host = "127.0.0.1"
port = $port
tls = "implicit"
ca_file = "$dc/cert.pem"
username = "me"
password = "bench-pass"
EOF
sed -i '1i timezone = "UTC"' "$tmp/in/imap.toml"
floor=("$tmp/imapfloor" -addr "127.0.0.1:$port" -ca "$dc/cert.pem" -user me -pass bench-pass -since 180 INBOX Sent)
"${floor[@]}" >/dev/null # Dovecot builds its indexes once, outside the measure
pair imap 1.5 "${floor[@]}" -- "$tmp/rekindle" --config "$tmp/in/imap.toml" sync
