#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches a built-in target's Debian kernel, pinned by exact version in kernels.pin, without
# installing it: downloads its packages, keeps vmlinuz and the config, and packs the modules the VM
# needs (virtio-net and what it depends on, decompressed, with a load order) into a cpio archive
# that is appended to the base initramfs. When the pin includes the headers package, it also keeps
# what building a module for exactly this kernel needs (build/: Debian's Module.symvers and the
# BTF-only vmlinux that module BTF is based on).
#   usage: fetch-kernel.sh TARGET OUT_DIR
#          (writes vmlinuz, config, release, modules.cpio.gz, package [, build/Module.symvers, build/vmlinux])
# Idempotent: does nothing when OUT_DIR already holds the pinned packages. Packages from trixie,
# trixie-backports or sid come through scripts/debian-foreign.sh (an apt state of its own: the
# host's apt is never touched); bookworm's through this host's apt (apt-get download).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: fetch-kernel.sh TARGET OUT_DIR}
out=${2:?usage: fetch-kernel.sh TARGET OUT_DIR}
modules=(virtio_net)
die() { echo "fetch-kernel: $*" >&2; exit 2; }

read -r -a pin < <(awk -v t="$target" '$1 == t { $1 = ""; print; exit }' "$here/kernels.pin")
((${#pin[@]} >= 2)) || die "no pin for \"$target\" in $here/kernels.pin"
archive=${pin[0]}
packages=("${pin[@]:1}")
if [[ -f $out/vmlinuz && -f $out/modules.cpio.gz && $(cat "$out/package" 2>/dev/null) == "${packages[*]}" ]]; then
	echo "fetch-kernel: $target: $(cat "$out/release") already in $out"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfa-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir "$work/debs" "$work/x"
case $archive in
foreign)
	foreign=$here/../../scripts/debian-foreign.sh
	[[ -f $foreign ]] || die "$foreign is missing"
	bash "$foreign" download "$work/debs" "${packages[@]}"
	;;
host)
	download() { (cd "$work/debs" && apt-get download -q "${packages[@]}" 2>&1 | grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched' || true); }
	download
	if ! ls "$work/debs"/*.deb >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
		apt-get update -q >/dev/null 2>&1 || true
		download
	fi
	;;
*) die "kernels.pin: $target: archive \"$archive\" is neither foreign nor host" ;;
esac
for p in "${packages[@]}"; do
	ls "$work/debs/${p%%=*}_"*.deb >/dev/null 2>&1 ||
		die "$target: $p is not in the archive any more (or apt cannot reach it): bump the pin in remote/vm/kernels.pin (docs/vm.md, \"Bumping a kernel pin\")"
done
for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done

# Debian 13 packages put everything under /usr/lib/modules/RELEASE (vmlinuz there too, the config
# in the headers package); Debian 12's under /lib/modules and /boot.
kmod=$( { find "$work/x/lib/modules" "$work/x/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true; } | head -n1)
[[ -n $kmod ]] || die "$target: no modules directory in ${packages[*]}"
release=$(basename "$kmod")
vmlinuz= config=
for f in "$work/x/boot/vmlinuz-$release" "$kmod/vmlinuz"; do [[ -f $f ]] && vmlinuz=$f; done
for f in "$work/x/boot/config-$release" "$work/x/usr/src/linux-headers-$release/.config"; do [[ -f $f ]] && config=$f; done
[[ -n $vmlinuz ]] || die "$target: no vmlinuz for $release in ${packages[*]}"
[[ -n $config ]] || die "$target: no config for $release in ${packages[*]} (pin the linux-headers package too)"

# Resolve dependencies from each module's .modinfo "depends=" and write them in load order.
stage="$work/stage/lib/modules/$release"
mkdir -p "$stage"
declare -A done=()
add_module() {
	local name=$1 path dep
	[[ -n ${done[$name]:-} ]] && return
	done[$name]=1
	path=$(find "$kmod/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
	[[ -n $path ]] || die "module $name not in ${packages[*]}"
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

rm -rf "$out.new"
mkdir -p "$out.new"
(cd "$work/stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -6 >"$out.new/modules.cpio.gz")
cp "$vmlinuz" "$out.new/vmlinuz"
cp "$config" "$out.new/config"
headers=$work/x/usr/src/linux-headers-$release
if [[ -f $headers/Module.symvers && -f $headers/vmlinux ]]; then
	mkdir "$out.new/build"
	cp "$headers/Module.symvers" "$headers/vmlinux" "$out.new/build/"
fi
echo "$release" >"$out.new/release"
echo "${packages[*]}" >"$out.new/package"
# Swap in whole, so a reader never sees half a kernel; what was built for the old one goes too.
rm -rf "$out"
mv "$out.new" "$out"
echo "fetch-kernel: $target: ${packages[*]} ($release) -> $out"
