#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for bpf-assoc: Debian packages (with bookworm-backports for
# bpftool >= 7.5 and libbpf 1.4) and the npm dependencies. Idempotent; run as root or with sudo.
#   scripts/setup.sh            everything the tests need
#   scripts/setup.sh --minimal  only what the analysis and its unit tests need
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"

MINIMAL=(clang llvm make)
BACKPORTS=(bpftool libbpf-dev)
FULL=(
	# running the association on a VM: qemu, a busybox + dropbear initramfs, OpenSSH, the C agent;
	# the static agent and users' loaders link libc.a, libelf.a, libz.a, libzstd.a and libbpf 1.7,
	# built from Debian's source package (remote/loader/build-libbpf.sh: dpkg-source, make)
	qemu-system-x86 busybox-static dropbear-bin openssh-client cpio xz-utils gzip zstd kmod
	gcc libc6-dev libelf-dev zlib1g-dev libzstd-dev dpkg-dev make
	# building the kernel selftests' bpf_testmod.ko for the built-in target local
	# (remote/vm/build-testmod.sh; Debian's linux-source-7.3 itself comes through debian-foreign.sh)
	build-essential bc bison flex libssl-dev dwarves
	# a real VS Code in a real browser: Chromium, and the headers code-server's native modules need
	chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config python3
	# npm run realcode: clang-19 where clang 14 fails, llvm-19's readers for the truth, the 32-bit
	# glibc stubs that -target bpf reaches, dpkg-source for Debian's source packages
	clang-19 llvm-19 libc6-dev-i386 dpkg-dev
)

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "setup: adding bookworm-backports"
	$SUDO tee /etc/apt/sources.list.d/bpf-assoc-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

want=("${MINIMAL[@]}")
[[ ${1:-} == --minimal ]] || want+=("${FULL[@]}")
missing=()
for p in "${want[@]}" "${BACKPORTS[@]}"; do
	name=${p%%=*} version=${p#*=}
	if [[ $name == "$p" ]]; then
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	else
		[[ $(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null) == "install ok installed $version" ]] || missing+=("$p")
	fi
done
bpftool_ok=0
bpftool_version=$(bpftool version 2>/dev/null || true)
if [[ $bpftool_version =~ v7\.([5-9]|[1-9][0-9]) ]]; then bpftool_ok=1; fi
if ((${#missing[@]})) || ((!bpftool_ok)); then
	echo "setup: installing ${missing[*]:-bpftool from backports}"
	$SUDO apt-get update -qq
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
	$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BACKPORTS[@]}" >/dev/null
fi
bpftool version 2>/dev/null | sed -n 1p

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
	npm ci --no-audit --no-fund
fi
echo "setup: done"
