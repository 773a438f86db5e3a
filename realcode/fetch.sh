#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Brings the real code of realcode/pins.txt into the cache, download and unpack only (through
# scripts/debian-foreign.sh: the host's apt is never touched). Idempotent: a tree unpacked from the
# pinned version is kept; a bumped pin unpacks afresh.
#
#   realcode/fetch.sh       prints one line per tree: NAME DIR (or NAME unavailable: REASON)
#
# Layout under ${BPF_ASSOC_CACHE:-~/.cache/bpf-assoc}/realcode:
#   ../debs/           the downloaded .deb files, shared with remote/vm/build-testmod.sh (the same
#                      pinned linux-source: whichever runs first downloads it)
#   linux/             the subset of linux-source the gate reads (see KERNEL_PATHS)
#   vmlinux/vmlinux    the kernel image, decompressed (its BTF gives vmlinux.h)
#   udev-hid-bpf/src   the udev-hid-bpf source package
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}/realcode
debs=$(dirname "$cache")/debs
foreign=$repo/scripts/debian-foreign.sh

pin() { awk -v k="$1" '$1 == k { print $2 }' "$here/pins.txt"; }
stamp_ok() { [[ -f $1/.pin && $(cat "$1/.pin") == "$2" ]]; }

# The kernel source's subset: the struct_ops code and what compiling it needs.
KERNEL_PATHS=(
	tools/sched_ext tools/testing/selftests/sched_ext
	tools/testing/selftests/bpf/progs tools/testing/selftests/bpf/prog_tests
	tools/testing/selftests/bpf/test_kmods tools/testing/selftests/bpf/libarena
	tools/testing/selftests/bpf/Makefile
	tools/lib/bpf tools/include tools/arch/x86/include tools/scripts
	drivers/hid/bpf/progs scripts/bpf_doc.py scripts/extract-vmlinux
)

kernel_source() {
	local p=$1 out=$cache/linux deb
	stamp_ok "$out" "$p" && return 0
	mkdir -p "$debs"
	deb=$(ls "$debs/${p%%=*}_${p#*=}_"*.deb 2>/dev/null | head -n1 || true)
	[[ -n $deb ]] || { "$foreign" download "$debs" "$p" >&2; deb=$(ls "$debs/${p%%=*}_${p#*=}_"*.deb | head -n1); }
	rm -rf "$out.tmp" && mkdir -p "$out.tmp"
	local tarball=usr/src/${p%%=*}.tar.xz
	# Debian's tarball is xz in blocks: two threads decompress it in about half the time.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$tarball" | nice xz -dc -T2 |
		tar -x -C "$out.tmp" --strip-components=1 --wildcards \
			"${KERNEL_PATHS[@]/#/*/}" --no-wildcards-match-slash '*/tools/testing/selftests/bpf/*.h'
	echo "$p" >"$out.tmp/.pin"
	rm -rf "$out" && mv "$out.tmp" "$out"
}

kernel_image() {
	local p=$1 out=$cache/vmlinux deb
	stamp_ok "$out" "$p" && return 0
	deb=$(ls "$debs/${p%%=*}_${p#*=}_"*.deb 2>/dev/null | head -n1 || true)
	[[ -n $deb ]] || { "$foreign" download "$debs" "$p" >&2; deb=$(ls "$debs/${p%%=*}_${p#*=}_"*.deb | head -n1); }
	rm -rf "$out.tmp" && mkdir -p "$out.tmp"
	dpkg-deb -x "$deb" "$out.tmp/deb"
	local z
	z=$(find "$out.tmp/deb" -name 'vmlinuz*' | head -n1)
	[[ -n $z ]] || { echo "fetch: no vmlinuz in $deb" >&2; return 1; }
	nice bash "$cache/linux/scripts/extract-vmlinux" "$z" >"$out.tmp/vmlinux"
	rm -rf "$out.tmp/deb"
	echo "$p" >"$out.tmp/.pin"
	rm -rf "$out" && mv "$out.tmp" "$out"
}

# A source package the archive cannot serve is reported, not hidden: the gate's report names it.
source_package() {
	local name=$1 p=$2 out=$cache/$1
	stamp_ok "$out" "$p" && return 0
	local log
	if ! log=$("$foreign" source "$out.tmp" "$p" 2>&1); then
		rm -rf "$out.tmp"
		echo "$log" | grep -E '^E: Failed to fetch|debian-foreign:' | sed -E 's/ *\[IP: [^]]*\]//; s/^E: Failed to fetch //' | head -n2 | tr '\n' ';' >"$cache/$name.unavailable"
		return 1
	fi
	rm -f "$cache/$name.unavailable"
	echo "$p" >"$out.tmp/.pin"
	rm -rf "$out" && mv "$out.tmp" "$out"
}

mkdir -p "$cache"
kernel_source "$(pin kernel-source)"
echo "linux $cache/linux"
if kernel_image "$(pin kernel-image)"; then echo "vmlinux $cache/vmlinux/vmlinux"; else echo "vmlinux unavailable: no kernel image"; fi
if source_package udev-hid-bpf "$(pin udev-hid-bpf-source)"; then
	echo "udev-hid-bpf $cache/udev-hid-bpf/src"
else
	echo "udev-hid-bpf unavailable: $(pin udev-hid-bpf-source): $(cat "$cache/udev-hid-bpf.unavailable")"
fi
