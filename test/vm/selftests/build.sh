#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds assoc-selftests for the built-in target "local" (Debian's Linux 7.3 with bpf_testmod.ko):
# the kernel selftests' struct_ops association test (prog_tests/test_struct_ops_assoc.c and its
# three BPF programs, taken at build time from the linux-source package pinned in
# remote/vm/kernels.pin as local/testmod, never committed) linked with runner.c and this
# directory's test_progs.h, statically against the libbpf users' loaders get (1.7,
# remote/loader/build-libbpf.sh). The BPF programs are compiled against the kernel's own BTF
# (vmlinux.h from the BTF-only vmlinux that fetch-kernel.sh keeps).
#   usage: build.sh        prints the binary's path; cached by its inputs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${BPF_ASSOC_VM_CACHE:-${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}/vm}
kdir=$cache/kernels/local
die() { echo "selftests/build.sh: $*" >&2; exit 2; }

[[ -f $kdir/build/vmlinux ]] || die "$kdir/build/vmlinux is missing: run npm run vm:setup"
read -r -a pin < <(awk '$1 == "local/testmod" { $1 = ""; print; exit }' "$repo/remote/vm/kernels.pin")
source_pkg=${pin[1]:-}
[[ -n $source_pkg ]] || die "no local/testmod pin in remote/vm/kernels.pin"
for tool in clang bpftool cc; do command -v "$tool" >/dev/null || die "$tool not found"; done
libbpf=$(bash "$repo/remote/loader/build-libbpf.sh")
key=$( {
	echo "$source_pkg"
	sha256sum "$kdir/build/vmlinux" "$repo/remote/agent/assoc_iter.bpf.c" "$here"/*.c "$here"/*.h "$here"/build.sh "$here"/bpf-include/linux/types.h "$repo/remote/agent/elfutils-static-shim.c" | cut -d' ' -f1
	clang --version | head -n1
	bpftool version | head -n1
	cat "$libbpf/VERSION"
} | sha256sum | cut -c1-16)
out=$cache/selftests/$key
if [[ -x $out/assoc-selftests ]]; then
	echo "$out/assoc-selftests"
	exit 0
fi

mkdir -p "$cache/selftests"
work=$(mktemp -d "$cache/selftests/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The upstream files, kept per source version (the package is 167 MB; only these are read).
upstream=$cache/selftests/src-$(echo "$source_pkg" | sha256sum | cut -c1-12)
if [[ ! -f $upstream/prog_tests/test_struct_ops_assoc.c ]]; then
	bash "$repo/scripts/debian-foreign.sh" download "$work/deb" "$source_pkg" >&2
	mkdir "$work/src"
	sel='*/tools/testing/selftests/bpf'
	dpkg-deb --fsys-tarfile "$work"/deb/linux-source-*.deb | tar -xO --wildcards './usr/src/linux-source-*.tar.*' |
		tar -xJ -C "$work/src" --strip-components=4 --wildcards "$sel/progs/struct_ops_assoc*.c" "$sel/progs/bpf_misc.h" \
			"$sel/prog_tests/test_struct_ops_assoc.c" "$sel/test_kmods/*.h"
	rm -rf "$upstream" "$work/deb"
	mv "$work/src/bpf" "$upstream"
fi

b=$work/b
mkdir -p "$b"
bpftool btf dump file "$kdir/build/vmlinux" format c >"$b/vmlinux.h"
for p in struct_ops_assoc struct_ops_assoc_reuse struct_ops_assoc_in_timer; do
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wno-missing-declarations -I "$here/bpf-include" -I "$b" \
		-I "$upstream/progs" -I "$libbpf/include" -c "$upstream/progs/$p.c" -o "$b/$p.bpf.o"
	bpftool gen skeleton "$b/$p.bpf.o" name "$p" >"$b/$p.skel.h"
done
# The agent's bpf_prog iterator, checked against the kernel's own kfunc by runner.c.
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$libbpf/include" -c "$repo/remote/agent/assoc_iter.bpf.c" -o "$b/assoc_iter.bpf.o"
bpftool gen skeleton "$b/assoc_iter.bpf.o" name assoc_iter >"$b/assoc_iter.skel.h"
nice cc -O2 -Wall -static -s -o "$b/assoc-selftests" -I "$here" -I "$b" -I "$libbpf/include" \
	"$here/runner.c" "$upstream/prog_tests/test_struct_ops_assoc.c" "$repo/remote/agent/elfutils-static-shim.c" \
	"$libbpf/lib/libbpf.a" -lelf -lz -lzstd
mkdir -p "$out.tmp"
cp "$b/assoc-selftests" "$out.tmp/"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out/assoc-selftests"
