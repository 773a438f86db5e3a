#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the bpf-assoc test kernel and prints the path of its bzImage.
#
# Debian's linux-source-6.12 (the version pinned in kernel/VERSION) + kernel/patches/*.patch,
# configured as `make ARCH=x86_64 tinyconfig` + kernel/config/bpf-assoc.config. The result is
# cached under $BPF_ASSOC_CACHE/kernel/<key>/ (default ~/.cache/bpf-assoc), keyed by source
# version, patches, config fragment, this script, compiler, linker, pahole and bpftool versions;
# a cached run returns at once. $BPF_ASSOC_CACHE/kernel/current points at the newest build.
#
#   kernel/build.sh           build if needed, print .../bzImage
#   kernel/build.sh --path    print the cached bzImage path; exit 1 if it is not built
#
# Cache entry: bzImage, vmlinux.h (bpftool btf dump), config, System.map, build-info.
# Needs: linux-source-6.12=$(cat kernel/VERSION) build-essential flex bison bc libelf-dev
# libssl-dev dwarves cpio xz-utils bpftool. JOBS (default 2) sets make -j.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(tr -d '[:space:]' < "$here/VERSION")
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${BPF_ASSOC_CACHE:-$HOME/.cache/bpf-assoc}/kernel
jobs=${JOBS:-2}

die() { echo "kernel/build.sh: $*" >&2; exit 2; }

for tool in gcc ld make flex bison bc pahole bpftool xz; do
	command -v "$tool" >/dev/null || die "$tool not found (see kernel/README.md for the apt packages)"
done
installed=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[[ $installed == "$version" ]] || die "needs linux-source-6.12=$version (installed: ${installed:-none}): apt-get install linux-source-6.12=$version"

key=$( {
	echo "bpf-assoc kernel key v1"
	echo "source $version"
	sha256sum "$here"/patches/*.patch "$here/config/bpf-assoc.config" "$here/build.sh" | sed "s|$here/||"
	gcc --version | sed -n 1p
	ld --version | sed -n 1p
	pahole --version
	bpftool version | sed -n 1p
} | sha256sum | cut -c1-16)
out=$cache/$key

if [[ ${1:-} == --path ]]; then
	[[ -f $out/bzImage ]] || { echo "kernel/build.sh: not built yet (key $key)" >&2; exit 1; }
	echo "$out/bzImage"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ ! -f $out/bzImage ]]; then
	start=$(date +%s)
	work=$cache/.work-$key
	rm -rf "$work" "$out.tmp"
	mkdir -p "$work" "$out.tmp"
	echo "kernel/build.sh: extracting linux-source $version" >&2
	tar -xf "$tarball" -C "$work"
	src=$work/linux-source-6.12
	for p in "$here"/patches/*.patch; do
		echo "kernel/build.sh: applying $(basename "$p")" >&2
		patch -d "$src" -p1 -s --forward --batch --no-backup-if-mismatch < "$p"
	done
	obj=$work/obj
	make -s -C "$src" O="$obj" ARCH=x86_64 tinyconfig >/dev/null
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$here/config/bpf-assoc.config" >/dev/null
	make -s -C "$src" O="$obj" ARCH=x86_64 olddefconfig >/dev/null
	# Every line of the fragment must survive olddefconfig (an unmet dependency drops it).
	while IFS= read -r line; do
		case $line in
		CONFIG_*) name=${line%%=*} ;;
		"# CONFIG_"*" is not set") name=${line#\# } name=${name%% *} ;;
		*) continue ;;
		esac
		got=$(grep -E "^$name=|^# $name is not set" "$obj/.config" || true)
		[[ $got == "$line" ]] || die "config: want $line, got '${got:-unset}'"
	done < "$here/config/bpf-assoc.config"
	echo "kernel/build.sh: building bzImage (make -j$jobs)" >&2
	make -s -C "$src" O="$obj" ARCH=x86_64 -j"$jobs" bzImage
	bpftool btf dump file "$obj/vmlinux" format c > "$out.tmp/vmlinux.h"
	grep -q 'BPF_PROG_ASSOC_STRUCT_OPS = 38' "$out.tmp/vmlinux.h" ||
		die "built kernel's BTF lacks BPF_PROG_ASSOC_STRUCT_OPS = 38"
	cp "$obj/arch/x86/boot/bzImage" "$out.tmp/bzImage"
	cp "$obj/.config" "$out.tmp/config"
	cp "$obj/System.map" "$out.tmp/System.map"
	{
		echo "key $key"
		echo "source linux-source-6.12 $version"
		(cd "$here" && sha256sum patches/*.patch config/bpf-assoc.config)
		gcc --version | sed -n 1p
		pahole --version
		echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - start )) s with make -j$jobs"
	} > "$out.tmp/build-info"
	mv "$out.tmp" "$out"
	rm -rf "$work"
	echo "kernel/build.sh: built in $(( $(date +%s) - start )) s" >&2
fi
ln -sfn "$key" "$cache/current"
echo "$out/bzImage"
