#!/bin/sh
# build.sh OUTDIR: builds the mailcop Debian package with Debian's own
# dpkg-deb, from this tree: OUTDIR/mailcop_VERSION_ARCH.deb. Run from the
# repository's root (make deb). DEB_ARCH (amd64, arm64; default this
# machine's), DEB_VERSION (default: from git, see version.sh) and
# DEB_MAINTAINER choose; GO is the go command.
set -eu

out=${1:?usage: build.sh OUTDIR}
go=${GO:-go}
here=packaging/deb
arch=${DEB_ARCH:-$(dpkg --print-architecture 2>/dev/null || "$go" env GOARCH)}
case $arch in
amd64 | arm64) goarch=$arch ;;
*) echo "build.sh: architecture $arch: only amd64 and arm64 are built" >&2; exit 1 ;;
esac
version=${DEB_VERSION:-$(sh "$here/version.sh")}
maintainer=${DEB_MAINTAINER:-mailcop developers <mailcop@example.org>}
# Every file's time is the commit's, so the same commit gives the same
# package.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

stage=$(mktemp -d "${TMPDIR:-/tmp}/mailcop-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
doc=$root/usr/share/doc/mailcop
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$doc" \
	"$root/etc/cron.daily" "$root/etc/default" "$root/etc/fail2ban/filter.d" "$root/etc/fail2ban/jail.d" "$root/etc/logrotate.d" \
	"$root/var/lib/mailcop" "$root/var/log/mailcop"

# The binaries: static (no cgo), without symbol tables (Debian ships
# stripped binaries), with the package's version in -version.
CGO_ENABLED=0 GOOS=linux GOARCH=$goarch "$go" build -trimpath \
	-ldflags "-s -w -X github.com/mailcop/mailcop/internal/cli.Version=$version" \
	-o "$stage/bin/" ./cmd/...
for c in mailcop-tail mailcop-parse mailcop-geo mailcop-count mailcop-report; do
	install -m 0755 "$stage/bin/$c" "$root/usr/bin/$c"
done
# The front script, and the other mailcop-* scripts (the watch service's).
for f in scripts/mailcop scripts/mailcop-*; do
	[ -f "$f" ] || continue
	install -m 0755 "$f" "$root/usr/bin/${f##*/}"
done

"$go" run ./internal/mangen -o "$stage/man"
for m in "$stage"/man/*.1; do
	gzip -9n <"$m" >"$root/usr/share/man/man1/${m##*/}.gz"
done

install -m 0755 etc/cron.daily/mailcop "$root/etc/cron.daily/mailcop"
install -m 0644 etc/default/mailcop "$root/etc/default/mailcop"
install -m 0644 etc/fail2ban/filter.d/mailcop.conf "$root/etc/fail2ban/filter.d/mailcop.conf"
install -m 0644 etc/fail2ban/jail.d/mailcop.conf "$root/etc/fail2ban/jail.d/mailcop.conf"
install -m 0644 etc/logrotate.d/mailcop "$root/etc/logrotate.d/mailcop"
# The watch service's units, where the tree has them.
units=
for u in etc/systemd/*.service etc/systemd/*.timer; do
	[ -f "$u" ] || continue
	install -d -m 0755 "$root/lib/systemd/system"
	# Units name the programs where make install puts them by default.
	sed 's|/usr/local/bin/|/usr/bin/|g' "$u" >"$root/lib/systemd/system/${u##*/}"
	chmod 0644 "$root/lib/systemd/system/${u##*/}"
	units="$units ${u##*/}"
done
units=${units# }

# Every file under /etc is the admin's: dpkg keeps their edits.
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
# The maintainer scripts; postinst and prerm only deal with units.
scripts=postrm
[ -z "$units" ] || scripts="postinst prerm postrm"
for m in $scripts; do
	sed "s|@UNITS@|$units|g" "$here/$m" >"$root/DEBIAN/$m"
	chmod 0755 "$root/DEBIAN/$m"
done
install -d -m 0755 "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/mailcop"

# The copyright file: mailcop's and the embedded data's, then the Go
# standard library and each module the binaries link, with the licence
# text the module ships.
licence() {
	case $1 in
	std | golang.org/x/* | github.com/fsnotify/fsnotify) echo BSD-3-Clause ;;
	# Its parts mailcop links (flate, gzip, zstd) are BSD-3-Clause;
	# its LICENSE, quoted whole, also covers parts it does not.
	github.com/klauspost/compress) echo BSD-3-Clause ;;
	github.com/oschwald/maxminddb-golang/*) echo ISC ;;
	github.com/phuslu/iploc) echo MIT ;;
	*) return 1 ;;
	esac
}
paragraph() { # files licence-file licence-name comment
	# The licence that covers the module's root: a LICENSE of several
	# parts (klauspost/compress) lists the others after a line of
	# dashes, for directories mailcop does not link.
	sed '/^---/,$d; s/[[:space:]]*$//' "$2" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$stage/licence"
	printf '\nFiles: %s\n' "$1"
	grep -i '^ *copyright' "$stage/licence" | sed 's/^ *[Cc]opyright *\(([cC]) *\|©\)\? *//' |
		sed '1s/^/Copyright: /; 2,$s/^/ /'
	printf 'License: %s\n' "$3"
	sed 's/^$/./; s/^/ /' "$stage/licence"
	printf 'Comment: %s\n' "$4"
}
{
	cat "$here/copyright.in"
	paragraph "go/src/*" "$("$go" env GOROOT)/LICENSE" BSD-3-Clause \
		"The Go standard library ($("$go" env GOVERSION)), linked into every binary."
	for m in $("$go" version -m "$stage"/bin/* | awk '$1 == "dep" { print $2 "@" $3 }' | sort -u); do
		path=${m%@*}
		if ! name=$(licence "$path"); then
			echo "build.sh: module $path: name its licence in $here/build.sh" >&2
			exit 1
		fi
		dir=$("$go" list -m -f '{{.Dir}}' "$path")
		file=
		for f in "$dir"/LICENSE* "$dir"/COPYING*; do
			if [ -f "$f" ] && [ -z "$file" ]; then file=$f; fi
		done
		[ -n "$file" ] || { echo "build.sh: module $path: no LICENSE file in $dir" >&2; exit 1; }
		users=$(for b in "$stage"/bin/*; do
			"$go" version -m "$b" | awk -v m="$path" '$1 == "dep" && $2 == m { found = 1 } END { exit !found }' && echo "${b##*/}"
		done | paste -sd ' ' | sed 's/ /, /g')
		paragraph "$path/*" "$file" "$name" "Go module $path ${m#*@}, linked into $users."
	done
} >"$doc/copyright"
chmod 0644 "$doc/copyright"

# A native package's changelog: this build.
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
{
	printf 'mailcop (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from commit %s.\n\n' "$commit"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@SIZE@|$size|" \
	"$here/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/mailcop_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
