#!/usr/bin/env bash
# dist/try-package.sh DEB: installs the Debian package on this machine,
# checks what it installed (the binary's version, the example config, the
# units, the user, the manual page, the completions), and purges it: every
# file it brought must be gone then, and the state directory with it. The
# config in /etc/rekindle and the system user stay, as Debian policy
# keeps them. .ci/run runs it as root on a machine it may change.
set -euo pipefail
deb=$(realpath "$1")
if [ "$(id -u)" != 0 ]; then
	echo "try-package: needs root (dpkg -i); skipped" >&2
	exit 0
fi
fail() {
	echo "try-package: $*" >&2
	exit 1
}
dpkg --purge rekindle >/dev/null 2>&1 || true
files=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|' | grep -v '/$')

dpkg -i "$deb"
echo "== installed: $(dpkg-query -W -f='${Package} ${Version} ${Architecture}' rekindle)"
rekindle version
rekindle version | grep -q '^built with go' || fail "rekindle version gives no Go version"
[ "$(rekindle --version)" = "$(rekindle version)" ] || fail "--version and version differ"
state=$(mktemp -d)
STATE_DIRECTORY=$state rekindle --config /usr/share/doc/rekindle/config.example.toml check
rm -rf "$state"
id rekindle >/dev/null || fail "no rekindle user after install"
[ -n "$(man -w rekindle)" ] || fail "man does not find rekindle(1)"
man --warnings -l "$(man -w rekindle)" >/dev/null 2>"$state.man" || true
[ ! -s "$state.man" ] || fail "the manual page has warnings: $(cat "$state.man")"
rm -f "$state.man"
bash -c 'source /usr/share/bash-completion/completions/rekindle && complete -p rekindle' >/dev/null ||
	fail "the bash completion does not load"
systemd-analyze verify /usr/lib/systemd/system/rekindle.service
run=$(mktemp -d)
XDG_RUNTIME_DIR=$run systemd-analyze --user verify /usr/lib/systemd/user/rekindle.service
rm -rf "$run"
grep -q '^User=rekindle$' /usr/lib/systemd/system/rekindle.service || fail "the system unit does not run as the rekindle user"
grep -q '^ExecStart=/usr/bin/rekindle ' /usr/lib/systemd/system/rekindle.service || fail "the system unit does not start /usr/bin/rekindle"
# What the service leaves when it has run: its state, which purge removes.
mkdir -p /var/lib/rekindle && touch /var/lib/rekindle/rekindle.db

dpkg --purge rekindle
for f in $files; do
	[ ! -e "$f" ] || fail "$f is left after purge"
done
[ ! -e /var/lib/rekindle ] || fail "/var/lib/rekindle is left after purge"
echo "== purged: $(echo "$files" | wc -l) files gone, the state directory too; the rekindle user stays (Debian policy)"
