#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prepares the built-in VM targets (npm run vm:setup): "local", Debian's Linux 7.3 with the kernel
# selftests' bpf_testmod.ko, and "local-6.12", Debian's stock 6.12 (no BPF_PROG_ASSOC_STRUCT_OPS),
# both pinned by exact version in remote/vm/kernels.pin. Idempotent: a cold run downloads the
# kernel packages and the 7.3 source (~300 MB), builds two small cpio archives and bpf_testmod.ko
# (a few minutes); a warm run checks and returns in a few seconds. Everything lands in the cache:
#   ${BPF_ASSOC_VM_CACHE:-${BPF_ASSOC_CACHE:-~/.cache/bpf-assoc}/vm}
#     keys/                 host key (dropbear), client key, known_hosts for HostKeyAlias bpf-assoc-local
#     initramfs.cpio.gz     kernel-independent base (busybox, dropbear, bpftool, keys)
#     kernels/TARGET/       vmlinuz, config, release, package, modules.cpio.gz (fetch-kernel.sh);
#                           for local also build/ and testmod.cpio.gz (build-testmod.sh)
#     testmod/KEY/          bpf_testmod.ko built for the pinned kernel
# As root it installs missing Debian packages (bookworm only); otherwise it says which ones.
# BPF_ASSOC_VM_TESTMOD=0 skips bpf_testmod.ko (the local target then boots without it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${BPF_ASSOC_VM_CACHE:-${BPF_ASSOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-assoc}/vm}
packages=(qemu-system-x86 busybox-static dropbear-bin openssh-client cpio xz-utils gzip bpftool
	gcc libc6-dev libbpf-dev libelf-dev zlib1g-dev libzstd-dev
	make flex bison bc dwarves libssl-dev kmod)
missing=()
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null | awk '/install ok installed/ {print $1}')
for p in "${packages[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	if [[ $(id -u) == 0 ]]; then
		echo "vm-setup: installing ${missing[*]}"
		apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null ||
			{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null; }
	else
		echo "vm-setup: missing packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
		exit 2
	fi
fi

mkdir -p "$cache/keys"
keys=$cache/keys
if [[ ! -f $keys/host_ed25519 ]]; then
	dropbearkey -t ed25519 -f "$keys/host_ed25519.tmp" >/dev/null 2>&1
	mv "$keys/host_ed25519.tmp" "$keys/host_ed25519"
fi
if [[ ! -f $keys/client_ed25519 ]]; then
	rm -f "$keys/client_ed25519.tmp" "$keys/client_ed25519.tmp.pub"
	ssh-keygen -q -t ed25519 -N '' -C bpf-assoc-local -f "$keys/client_ed25519.tmp"
	mv "$keys/client_ed25519.tmp.pub" "$keys/client_ed25519.pub"
	mv "$keys/client_ed25519.tmp" "$keys/client_ed25519"
fi
host_pub=$(dropbearkey -y -f "$keys/host_ed25519" | awk '/^ssh-ed25519 /{print $1, $2}')
echo "bpf-assoc-local $host_pub" >"$keys/known_hosts"

base=$cache/initramfs.cpio.gz
if [[ ! -f $base || $here/make-initramfs.sh -nt $base || $here/guest/rcS -nt $base || $keys/host_ed25519 -nt $base ||
	$keys/client_ed25519.pub -nt $base || /usr/sbin/dropbear -nt $base || /usr/sbin/bpftool -nt $base ]]; then
	"$here/make-initramfs.sh" "$keys" "$base"
	echo "vm-setup: built $base ($(du -k "$base" | cut -f1) KiB)"
fi
# local-6.12 is fetched beside the rest (a download and one decompression: one core at most), so
# that a cold run does not wait for it; its failure still fails the setup.
"$here/fetch-kernel.sh" local-6.12 "$cache/kernels/local-6.12" &
fetch_612=$!
"$here/fetch-kernel.sh" local "$cache/kernels/local"
if [[ ${BPF_ASSOC_VM_TESTMOD:-1} != 0 ]]; then
	"$here/build-testmod.sh" local/testmod "$cache/kernels/local"
fi
wait "$fetch_612"
rm -rf "$cache/kernels/debian-6.12" # the unpinned 6.12 of earlier versions
echo "vm-setup: ready in $cache"
