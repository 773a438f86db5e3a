#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Downloads, never installs, binary and source packages from Debian suites that this bookworm host
# does not track (trixie, trixie-backports, sid). apt runs with a state of its own under the cache
# (sources, lists, archives): the host's apt sources, lists and dpkg status are never read or
# written, so nothing on the host can be upgraded by it.
#
#   debian-foreign.sh download OUT_DIR PKG=VERSION...   .deb files into OUT_DIR
#   debian-foreign.sh unpack   OUT_DIR PKG=VERSION...   each .deb unpacked (dpkg-deb -x) into OUT_DIR
#   debian-foreign.sh source   OUT_DIR PKG=VERSION      the source package unpacked in OUT_DIR/src
#                                                       (the version as `apt-cache showsrc` prints it, with
#                                                       its epoch where it has one: libbpf=1.7.0-1,
#                                                       suricata=1:8.0.7-2)
#   debian-foreign.sh policy   PKG...                   what the foreign suites offer
#
# Versions are always pinned by the caller. The package lists are refreshed at most once a day, or
# when a pinned version is not in them (BPF_ASSOC_APT_REFRESH=1 refreshes now).
set -euo pipefail
cache=${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}
state=$cache/apt-foreign
suites=${BPF_ASSOC_FOREIGN_SUITES:-trixie trixie-backports sid}
mirror=${BPF_ASSOC_DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() { echo "debian-foreign: $*" >&2; exit 2; }
mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/etc/preferences.d"
{
	for s in $suites; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
	done
} >"$state/etc/sources.list.new"
cmp -s "$state/etc/sources.list.new" "$state/etc/sources.list" 2>/dev/null || { mv "$state/etc/sources.list.new" "$state/etc/sources.list"; rm -f "$state/updated"; }
rm -f "$state/etc/sources.list.new"
APT=(-o "Dir::Etc::sourcelist=$state/etc/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::Etc::preferencesparts=$state/etc/preferences.d"
	-o "Dir::State::Lists=$state/lists" -o Dir::State::status=/dev/null -o "Dir::Cache=$state" -o "Dir::Cache::archives=$state/archives"
	-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -q)

refresh() {
	apt-get "${APT[@]}" update >"$state/update.log" 2>&1 || { cat "$state/update.log" >&2; die "apt-get update of $suites failed"; }
	touch "$state/updated"
}
[[ -n $(find "$state/updated" -mmin -1440 2>/dev/null) && -z ${BPF_ASSOC_APT_REFRESH:-} ]] || refresh

# Makes sure every PKG=VERSION is known to the lists, refreshing once if one is not.
known() {
	local p
	for p in "$@"; do
		[[ $p == *=* ]] || die "$p: pin a version (PKG=VERSION)"
		apt-cache "${APT[@]}" show "$p" >/dev/null 2>&1 || apt-cache "${APT[@]}" showsrc "${p%%=*}" 2>/dev/null | grep -qx "Version: ${p#*=}" || return 1
	done
}

cmd=${1:-}
shift || true
case $cmd in
policy)
	apt-cache "${APT[@]}" policy "$@"
	;;
download | unpack)
	out=${1:?OUT_DIR}
	shift
	(($#)) || die "no packages"
	known "$@" || { refresh; known "$@" || die "the foreign suites ($suites) do not offer $*"; }
	mkdir -p "$out"
	tmp=$(mktemp -d "$out/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 0755 "$tmp"
	(cd "$tmp" && apt-get "${APT[@]}" download "$@" 2>&1 | grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched' >&2 || true)
	for p in "$@"; do
		ls "$tmp/${p%%=*}_"*.deb >/dev/null 2>&1 || die "download of $p failed"
	done
	if [[ $cmd == download ]]; then
		mv "$tmp"/*.deb "$out/"
	else
		for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$out"; done
	fi
	;;
source)
	out=${1:?OUT_DIR}
	p=${2:?PKG=VERSION}
	known "$p" || { refresh; known "$p" || die "the foreign suites ($suites) do not offer source $p"; }
	command -v dpkg-source >/dev/null || die "dpkg-source is missing (apt-get install dpkg-dev)"
	mkdir -p "$out"
	tmp=$(mktemp -d "$out/.src.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 0755 "$tmp"
	(cd "$tmp" && apt-get "${APT[@]}" source --download-only "$p" >"$state/source.log" 2>&1) || { cat "$state/source.log" >&2; die "source download of $p failed"; }
	dsc=$(ls "$tmp"/*.dsc | head -n1)
	[[ -f $dsc ]] || die "source download of $p failed"
	rm -rf "$out/src"
	dpkg-source --no-check -x "$dsc" "$out/src" >/dev/null
	;;
*)
	sed -n '3,15p' "$0" >&2
	exit 2
	;;
esac
