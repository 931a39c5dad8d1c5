#!/bin/sh
# make-deb: builds BUILD/plenum_VERSION_ARCH.deb from a built tree (`make deb`): the stripped
# binary in /usr/sbin, the web client in /usr/share/plenum/web, the default configuration as a
# conffile, the hardened systemd unit, a man page made from --help, and Debian's maintainer
# scripts. Usage: scripts/make-deb.sh [BUILD]   (prints the path of the package it wrote)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
bin=$build/plenum
[ -x "$bin" ] || { echo "make-deb: $bin missing (run make first)" >&2; exit 1; }
version=$("$bin" --version | awk '{ print $2 }')
arch=$(dpkg --print-architecture)
stage=$build/deb/plenum
rm -rf "$build/deb"
mkdir -p "$stage/DEBIAN"

install -D -m 0755 "$bin" "$stage/usr/sbin/plenum"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/sbin/plenum"

# The web client, without its developer notes.
mkdir -p "$stage/usr/share/plenum"
cp -R web "$stage/usr/share/plenum/web"
rm -f "$stage/usr/share/plenum/web/README.md"
find "$stage/usr/share/plenum" -type d -exec chmod 0755 {} +
find "$stage/usr/share/plenum" -type f -exec chmod 0644 {} +

install -D -m 0644 packaging/plenum.conf "$stage/etc/plenum/plenum.conf"
install -D -m 0644 packaging/plenum.service "$stage/lib/systemd/system/plenum.service"

# plenum(8): the same text as --help, with the sections of packaging/plenum.h2m.
mkdir -p "$stage/usr/share/man/man8"
LC_ALL=C.UTF-8 help2man --no-info --section 8 --include packaging/plenum.h2m \
	--name "self-hosted video-meeting server" "$bin" >"$build/deb/plenum.8"
gzip -9n <"$build/deb/plenum.8" >"$stage/usr/share/man/man8/plenum.8.gz"

doc=$stage/usr/share/doc/plenum
install -D -m 0644 packaging/deb/copyright "$doc/copyright"
for f in operations.md hosting.md protocol.md; do
	install -m 0644 "docs/$f" "$doc/$f"
done
install -D -m 0644 docs/nginx/plenum.conf "$doc/examples/nginx-plenum.conf"   # the tested nginx site
install -m 0644 docs/nginx/plenum-stream.conf "$doc/examples/nginx-plenum-stream.conf"   # 443 shared with coturn by SNI
date=$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" packaging/deb/changelog | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Shared-library dependencies as Debian computes them.
shl=$(mktemp -d)
trap 'rm -rf "$shl"' EXIT
mkdir "$shl/debian"
printf 'Source: plenum\n\nPackage: plenum\nArchitecture: any\n' >"$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O "$root/$stage/usr/sbin/plenum" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$stage" | awk '{ print $1 }')
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	packaging/deb/control.in >"$stage/DEBIAN/control"
echo /etc/plenum/plenum.conf >"$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "packaging/deb/$s" "$stage/DEBIAN/$s"
done
(cd "$stage" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' |
	LC_ALL=C sort | xargs md5sum >DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums" "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles"

out=$build/plenum_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
