#!/bin/sh
# Prints the package's Debian version, from git: a tag vX.Y gives X.Y,
# N commits after it X.Y+gitN.HASH; with no tag, 0.0~gitDATE.HASH (the
# commit's date, so that later commits sort later and upgrade). A tree
# with uncommitted changes adds +dirty.
set -eu
hash=$(git rev-parse --short=7 HEAD)
if desc=$(git describe --tags --long --match 'v[0-9]*' 2>/dev/null); then
	tag=${desc%-*-g*}
	n=${desc%-g*}
	n=${n##*-}
	version=${tag#v}
	[ "$n" = 0 ] || version=$version+git$n.$hash
else
	version=0.0~git$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S).$hash
fi
git diff-index --quiet HEAD -- 2>/dev/null || version=$version+dirty
# Debian's rule for a version without a revision: starts with a digit,
# then letters, digits and . + ~ only.
case $version in
[0-9]*) ;;
*) echo "version.sh: $version: a version must start with a digit (tag vX.Y)" >&2; exit 1 ;;
esac
case $version in
*[!A-Za-z0-9.+~]*) echo "version.sh: $version: not a valid Debian version" >&2; exit 1 ;;
esac
echo "$version"
