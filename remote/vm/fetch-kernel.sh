#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches Debian's 6.12 kernel for the built-in VM target without installing it: downloads the
# package that linux-image-6.12-amd64 points to (or $BPF_ASSOC_KERNEL_PACKAGE), keeps vmlinuz and
# packs the modules the VM needs (virtio-net and what it depends on, decompressed, with a load
# order) into a cpio archive that is appended to the base initramfs.
#   usage: fetch-kernel.sh OUT_DIR     (writes vmlinuz, modules.cpio.gz, release, package, config)
# Idempotent: does nothing when OUT_DIR already holds the package apt offers now (or when apt is
# unreachable and a previous download is there). apt is asked at most once a day
# (BPF_ASSOC_KERNEL_REFRESH=1 asks now).
set -euo pipefail
out=$1
modules=(virtio_net)
meta=${BPF_ASSOC_KERNEL_META:-linux-image-6.12-amd64}
if [[ -f $out/vmlinuz && -f $out/modules.cpio.gz && -z ${BPF_ASSOC_KERNEL_REFRESH:-} && -z ${BPF_ASSOC_KERNEL_PACKAGE:-} ]] &&
	[[ -n $(find "$out/package" -mmin -1440 2>/dev/null) ]]; then
	echo "fetch-kernel: $(cat "$out/package") in $out (checked within a day)"
	exit 0
fi
resolve() {
	pkg=${BPF_ASSOC_KERNEL_PACKAGE:-}
	[[ -n $pkg ]] || pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}') || true
	version=
	[[ -z $pkg ]] || version=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" {print $2}') || true
}
resolve
if [[ -z $pkg || -z $version || $version == "(none)" ]] && [[ $(id -u) == 0 ]]; then
	apt-get update -q >/dev/null 2>&1 || true
	resolve
fi
if [[ -z $pkg || -z $version || $version == "(none)" ]]; then
	[[ -f $out/vmlinuz && -f $out/package ]] && { echo "fetch-kernel: apt has no $meta; keeping $(cat "$out/package")"; exit 0; }
	echo "fetch-kernel: apt offers no $meta (run apt-get update; bookworm-security or bookworm-backports needed)" >&2
	exit 2
fi
if [[ -f $out/vmlinuz && -f $out/modules.cpio.gz && $(cat "$out/package" 2>/dev/null) == "$pkg=$version" ]]; then
	touch "$out/package"
	echo "fetch-kernel: $pkg=$version already in $out"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
download() { (cd "$work" && apt-get download -q "$pkg=$version" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true); }
download
deb=$(ls "$work"/*.deb 2>/dev/null | head -n1)
if [[ ! -f $deb && $(id -u) == 0 ]]; then
	# The archive moved on (a security update replaced the version the lists name): refresh, retry.
	apt-get update -q >/dev/null 2>&1 || true
	resolve
	download
	deb=$(ls "$work"/*.deb 2>/dev/null | head -n1)
fi
[[ -f $deb ]] || { echo "fetch-kernel: download of $pkg=$version failed" >&2; exit 2; }
mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
release=$(ls "$work/x/lib/modules")
kmod="$work/x/lib/modules/$release"

# Resolve dependencies from each module's .modinfo "depends=" and write them in load order.
stage="$work/stage/lib/modules/$release"
mkdir -p "$stage"
declare -A done=()
add_module() {
	local name=$1 path dep
	[[ -n ${done[$name]:-} ]] && return
	done[$name]=1
	path=$(find "$kmod/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
	[[ -n $path ]] || { echo "fetch-kernel: module $name not in $pkg" >&2; exit 2; }
	case $path in
	*.xz) xz -dc "$path" >"$stage/$name.ko" ;;
	*.zst) zstd -qdc "$path" >"$stage/$name.ko" ;;
	*.gz) gzip -dc "$path" >"$stage/$name.ko" ;;
	*) cp "$path" "$stage/$name.ko" ;;
	esac
	for dep in $(tr '\0' '\n' <"$stage/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do add_module "${dep//-/_}"; done
	echo "$name" >>"$stage/load-order"
}
for m in "${modules[@]}"; do add_module "$m"; done

mkdir -p "$out"
(cd "$work/stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -6 >"$out/modules.cpio.gz")
cp "$work/x/boot/vmlinuz-$release" "$out/vmlinuz"
cp "$work/x/boot/config-$release" "$out/config"
echo "$release" >"$out/release"
echo "$pkg=$version" >"$out/package"
echo "fetch-kernel: $pkg=$version ($release) -> $out"
