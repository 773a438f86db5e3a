#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libbpf that users' loaders are linked with for a VM run: Debian's source package of
# the version pinned in remote/loader/LIBBPF_VERSION (sid; built here with the host's gcc, so it
# needs no newer glibc), static only. Cached by version; prints the install prefix (include/,
# lib/libbpf.a). Bump the pin by editing LIBBPF_VERSION (a Debian source version, no epoch).
#   build-libbpf.sh            build if needed, print the prefix
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(tr -d ' \n' <"$here/LIBBPF_VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9A-Za-z.+~]+$ ]] || { echo "build-libbpf: bad version '$version' in LIBBPF_VERSION" >&2; exit 2; }
upstream=${version%-*}
majmin=${upstream%.*}
cache=${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}
out=$cache/libbpf-$majmin/$version
if [[ -f $out/lib/libbpf.a && -f $out/include/bpf/libbpf.h && -f $out/.complete ]]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache/libbpf-$majmin"
exec 9>"$cache/libbpf-$majmin/.lock"
flock 9
if [[ -f $out/.complete ]]; then echo "$out"; exit 0; fi
work=$(mktemp -d "$cache/libbpf-$majmin/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash "$here/../../scripts/debian-foreign.sh" source "$work" "libbpf=$version" >&2
stage=$work/stage
nice make -s -C "$work/src/src" -j"${BPF_ASSOC_JOBS:-2}" BUILD_STATIC_ONLY=1 OBJDIR="$work/obj" DESTDIR="$stage" \
	PREFIX=/ LIBDIR=/lib INCLUDEDIR=/include CFLAGS="-g -O2 -Wall" install >&2
rm -rf "$out"
mkdir -p "$out"
cp -a "$stage/include" "$stage/lib" "$out/"
echo "$upstream" >"$out/VERSION"
touch "$out/.complete"
echo "$out"
