#!/usr/bin/env bash
# dist/release.sh: what a release ships, made from the commit at HEAD into
# dist/out (or $OUT):
#
#   rekindle-VERSION-linux-amd64, -arm64, -armv6   static binaries (no cgo,
#       -trimpath, stripped); armv6 runs on every Raspberry Pi
#   rekindle_VERSION_amd64.deb, _arm64.deb, _armhf.deb   Debian packages
#   SHA256SUMS
#
# Each binary is built from a clone of the commit, and built again from
# another clone in another directory with an empty build cache: the two
# must be the same bytes. ARCHS="amd64" limits the architectures; REPRO
# names those built twice (default: all; CI checks amd64 alone, as each
# second build compiles everything again).
# VERSION is the tag at HEAD without its "v", else 0.0.0+gitDATE.COMMIT.
# The binary's own version, commit and Go version come from its build
# information (`rekindle version`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$(realpath -m "${OUT:-dist/out}")
archs=${ARCHS:-amd64 arm64 arm}
repro=${REPRO-$archs}
nfpm=${NFPM:-github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2}

commit=$(git rev-parse HEAD)
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
	version=${tag#v}
else
	version=0.0.0+git$(TZ=UTC git show -s --format=%cd --date=format-local:%Y%m%d "$commit").$(git rev-parse --short=7 "$commit")
fi
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
rm -rf "$out" && mkdir -p "$out"

# build ARCH DIR [CACHE]: the binary of the commit for ARCH, built in a
# clone at DIR with the build cache CACHE (default: one of its own, empty);
# prints the binary's path.
build() {
	local arch=$1 dir=$2 cache=${3:-$2/cache}
	git clone -q --no-hardlinks "$root" "$dir/src"
	git -C "$dir/src" checkout -q "$commit"
	(
		cd "$dir/src"
		GOARM=$([ "$arch" = arm ] && echo 6 || true)
		export GOARM
		CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOCACHE=$cache GOFLAGS=-mod=readonly \
			go build -trimpath -ldflags='-s -w -buildid=' -o "$dir/rekindle" ./cmd/rekindle
	)
	echo "$dir/rekindle"
}

declare -A debarch=([amd64]=amd64 [arm64]=arm64 [arm]=armhf)
declare -A binname=([amd64]=amd64 [arm64]=arm64 [arm]=armv6)
for arch in $archs; do
	echo "== linux/$arch"
	first=$(build "$arch" "$tmp/$arch-1" "$(go env GOCACHE)")
	if [[ " $repro " == *" $arch "* ]]; then
		second=$(build "$arch" "$tmp/$arch-2")
		if ! cmp -s "$first" "$second"; then
			echo "release: the two builds for $arch differ: not reproducible" >&2
			exit 1
		fi
		echo "two builds, same bytes: $(sha256sum <"$first" | cut -c1-16)…"
	fi
	cp "$first" "$out/rekindle-$version-linux-${binname[$arch]}"
done

# What the package carries beside the binary, made by this machine's build
# of the same commit: the manual page, the completions and the units with
# the packaged paths (the binary in /usr/bin, a system user instead of a
# dynamic one, since the package makes one with systemd-sysusers).
stage=$tmp/stage
src=$tmp/${archs%% *}-1/src # the clone of the commit: every file comes from it
mkdir -p "$stage/user"
hostbin=$tmp/$(go env GOARCH)-1/rekindle
[ -x "$hostbin" ] || hostbin=$(build "$(go env GOARCH)" "$tmp/host" "$(go env GOCACHE)")
"$hostbin" __manual | gzip -9n >"$stage/rekindle.1.gz"
"$hostbin" completion bash >"$stage/rekindle.bash"
"$hostbin" completion zsh >"$stage/_rekindle"
"$hostbin" completion fish >"$stage/rekindle.fish"
sed -e 's|/usr/local/bin/rekindle|/usr/bin/rekindle|' \
	-e 's|^DynamicUser=yes$|User=rekindle\nGroup=rekindle|' \
	-e 's|^Documentation=.*|&\nDocumentation=man:rekindle(1)|' \
	-e '/^# rekindle as a system service/,/^# Logs:/c\# rekindle as a system service, from the Debian package. Write the config\n# (sudo rekindle init --config /etc/rekindle/config.toml, then edit it;\n# sudo chgrp rekindle /etc/rekindle/config.toml; chmod 640), then\n#   sudo systemctl enable --now rekindle\n# Logs: journalctl -u rekindle -f' \
	"$src/dist/systemd/rekindle.service" >"$stage/rekindle.service"
sed -e 's|^ExecStart=/usr/local/bin/rekindle|ExecStart=/usr/bin/rekindle|' \
	-e '/^# The install step above/d' \
	-e 's|^Documentation=.*|&\nDocumentation=man:rekindle(1)|' \
	-e '/^# rekindle as a user service/,/^# Logs:/c\# rekindle as a user service, from the Debian package: the one that can show\n# desktop notifications. Start: systemctl --user enable --now rekindle\n# Logs: journalctl --user -u rekindle -f' \
	"$src/dist/systemd/user/rekindle.service" >"$stage/user/rekindle.service"

(cd "$src" && cp config.example.toml README.md LICENSE dist/sysusers.d/rekindle.conf dist/deb/postinst dist/deb/postrm "$stage/")
mkdir -p "$stage/docs" && cp "$src"/docs/*.md "$stage/docs/" && cp -r "$src/docs/examples" "$stage/docs/"
cfg=$src/dist/nfpm.yaml
when=$(git show -s --format=%ct "$commit")
for arch in $archs; do
	cp "$out/rekindle-$version-linux-${binname[$arch]}" "$stage/rekindle"
	# nfpm packs the files' dates: the commit's date makes the package the
	# same bytes from one build to the next.
	find "$stage" -exec touch -h -d "@$when" {} +
	(cd "$stage" && VERSION=$version ARCH=${debarch[$arch]} SOURCE_DATE_EPOCH=$when \
		go run "$nfpm" package --config "$cfg" --packager deb --target "$out/" >/dev/null)
done
(cd "$out" && sha256sum -- * >SHA256SUMS)
ls -l "$out"
