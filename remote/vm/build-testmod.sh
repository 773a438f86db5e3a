#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the kernel selftests' test module, bpf_testmod.ko, for exactly the Debian kernel that
# fetch-kernel.sh fetched, and packs it into a cpio archive that the guest loads at boot
# (testmod.cpio.gz beside the kernel). With it the upstream selftest types and kfuncs exist on the
# target: bpf_testmod_multi_st_ops, bpf_testmod_ops, bpf_kfunc_multi_st_ops_test_1_assoc, ...
#
#   usage: build-testmod.sh PIN KERNEL_DIR     e.g. build-testmod.sh local/testmod ~/.cache/bpf-assoc/vm/kernels/local
#
# How, and why this way: Debian's own module toolchain (linux-kbuild-7.3.4, gcc-14) needs glibc
# >= 2.38, which a bookworm host does not have. So the module is built with this host's gcc from
# the matching Debian source package (linux-source-7.3, pinned in kernels.pin as PIN), prepared
# with Debian's config and release string (`make modules_prepare`: vermagic then matches), with
# Debian's Module.symvers, and with module BTF based on the BTF-only vmlinux from Debian's headers
# package (the kernel's own BTF; resolve_btfids distils the base, as for any external module).
# Nothing is installed and no chroot is needed. The module is not signed: Debian's kernel has
# CONFIG_MODULE_SIG without MODULE_SIG_FORCE, so it loads and taints the kernel (flag E), which is
# harmless in a throw-away VM.
#
# Cached in ${BPF_ASSOC_VM_CACHE:-${BPF_ASSOC_CACHE:-~/.cache/bpf-assoc}/vm}/testmod/KEY/, where KEY
# hashes the source pin, the kernel release, Debian's Module.symvers and vmlinux, this script and
# the host's gcc and pahole; the source tree is built in a temporary directory and removed. The
# source package's .deb is kept in ${BPF_ASSOC_CACHE:-~/.cache/bpf-assoc}/debs, where the real-code
# gate (realcode/fetch.sh) keeps the same pinned linux-source: whichever runs first downloads it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pin_name=${1:?usage: build-testmod.sh PIN KERNEL_DIR}
kdir=${2:?usage: build-testmod.sh PIN KERNEL_DIR}
cache=${BPF_ASSOC_VM_CACHE:-${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}/vm}
debs=${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}/debs
die() { echo "build-testmod: $*" >&2; exit 2; }

read -r -a pin < <(awk -v t="$pin_name" '$1 == t { $1 = ""; print; exit }' "$here/kernels.pin")
((${#pin[@]} == 2)) && [[ ${pin[0]} == foreign ]] || die "kernels.pin: \"$pin_name\" must name one foreign source package"
source_pkg=${pin[1]}
[[ -f $kdir/release && -f $kdir/build/Module.symvers && -f $kdir/build/vmlinux && -f $kdir/config ]] ||
	die "$kdir has no kernel build files (run fetch-kernel.sh with the headers package pinned)"
release=$(cat "$kdir/release")
for tool in gcc make flex bison bc pahole xz cpio; do
	command -v "$tool" >/dev/null || die "$tool not found (apt-get install build-essential flex bison bc dwarves xz-utils cpio libelf-dev libssl-dev)"
done
for h in /usr/include/gelf.h /usr/include/openssl/ssl.h; do
	[[ -f $h ]] || die "$h not found (apt-get install libelf-dev libssl-dev)"
done

key=$( {
	echo "$source_pkg $release"
	sha256sum "$kdir/build/Module.symvers" "$kdir/build/vmlinux" | cut -d' ' -f1
	cat "$0"
	gcc --version | head -n1
	pahole --version
} | sha256sum | cut -c1-16)
out=$cache/testmod/$key
archive=$kdir/testmod.cpio.gz

if [[ ! -f $out/bpf_testmod.ko ]]; then
	started=$(date +%s)
	step_started=$started
	steps=()
	step() { steps+=("$1 $(($(date +%s) - step_started)) s"); step_started=$(date +%s); }
	mkdir -p "$cache/testmod"
	# A work tree a day old is one whose removal (below) was cut short.
	find "$cache/testmod" -maxdepth 1 -name 'work.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
	work=$(mktemp -d "$cache/testmod/work.XXXXXX")
	# The work tree (1.8 GB, ~100,000 files) is removed in the background: on this machine's disk
	# (ext4 mounted with `discard`) that took 4 minutes at load 12, which nothing has to wait for.
	trap 'setsid rm -rf "$work" </dev/null >/dev/null 2>&1 &' EXIT
	echo "build-testmod: building bpf_testmod.ko for $release from $source_pkg (a few minutes on a cold cache)"
	deb=$(ls "$debs/${source_pkg%%=*}_${source_pkg#*=}_"*.deb 2>/dev/null | head -n1 || true)
	if [[ -z $deb ]]; then
		bash "$here/../../scripts/debian-foreign.sh" download "$debs" "$source_pkg"
		deb=$(ls "$debs/${source_pkg%%=*}_${source_pkg#*=}_"*.deb | head -n1)
		step download
	fi
	mkdir "$work/src"
	# Debian's tarball is xz in blocks: two threads decompress it in about half the time.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		nice -n 10 xz -dc -T2 | tar -x -C "$work/src" --strip-components=1
	step unpack
	src=$work/src
	obj=$work/obj
	mkdir "$obj"
	cp "$kdir/config" "$obj/.config"
	# The kernel's own release string: vermagic is checked against it at load.
	kmake=(nice -n 10 make -s -j2 -C "$src" O="$obj" KERNELRELEASE="$release")
	"${kmake[@]}" olddefconfig >"$work/log" 2>&1 || { tail -n 30 "$work/log" >&2; die "olddefconfig failed"; }
	step olddefconfig
	"${kmake[@]}" modules_prepare >>"$work/log" 2>&1 || { tail -n 30 "$work/log" >&2; die "modules_prepare failed"; }
	step modules_prepare
	cp "$kdir/build/Module.symvers" "$kdir/build/vmlinux" "$obj/"
	mod=$work/mod
	mkdir "$mod"
	cp "$src"/tools/testing/selftests/bpf/test_kmods/bpf_testmod{.c,.h,_kfunc.h,-events.h} "$mod/"
	printf 'obj-m := bpf_testmod.o\nCFLAGS_bpf_testmod.o = -I$(src)\n' >"$mod/Kbuild"
	"${kmake[@]}" M="$mod" modules >>"$work/log" 2>&1 || { tail -n 30 "$work/log" >&2; die "building bpf_testmod.ko failed"; }
	step module
	vermagic=$(modinfo -F vermagic "$mod/bpf_testmod.ko" 2>/dev/null || true)
	[[ $vermagic == "$release "* ]] || die "bpf_testmod.ko has vermagic \"$vermagic\", not $release"
	readelf -S "$mod/bpf_testmod.ko" | grep -q ' \.BTF ' || die "bpf_testmod.ko has no BTF"
	mkdir -p "$out.tmp"
	cp "$mod/bpf_testmod.ko" "$out.tmp/"
	echo "$source_pkg $release $(gcc --version | head -n1) pahole $(pahole --version)" >"$out.tmp/build-info"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	echo "build-testmod: built in $(($(date +%s) - started)) s ($(IFS=,; echo "${steps[*]}" | sed 's/,/, /g')) -> $out/bpf_testmod.ko"
fi

if [[ ! -f $archive || $out/bpf_testmod.ko -nt $archive ]]; then
	stage=$(mktemp -d)
	mkdir -p "$stage/lib/modules/$release"
	cp "$out/bpf_testmod.ko" "$stage/lib/modules/$release/"
	# A load order of its own: the guest reads load-order (fetch-kernel.sh's) then load-order.*.
	echo bpf_testmod >"$stage/lib/modules/$release/load-order.testmod"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -6 >"$archive.tmp")
	rm -rf "$stage"
	mv "$archive.tmp" "$archive"
fi
echo "build-testmod: bpf_testmod.ko for $release: $archive"
