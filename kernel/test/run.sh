#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the bpf-assoc test kernel in qemu with a test-only initramfs (busybox + assoc-selftest
# + the BPF objects of kernel/test/progs) and checks what the self-test prints on the serial
# console. Exits 0 only if every check passed. Builds the kernel first if it is not cached.
#
# Env: BPF_ASSOC_ACCEL (default "kvm:tcg": KVM, falling back to TCG), BOOT_TIMEOUT (s, 170),
# KERNEL_DIR (a directory with bzImage and vmlinux.h to test instead of kernel/build.sh's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/.build/kernel-test
accel=${BPF_ASSOC_ACCEL:-kvm:tcg}
timeout_s=${BOOT_TIMEOUT:-170}

for tool in clang gcc cpio gzip qemu-system-x86_64; do
	command -v "$tool" >/dev/null || { echo "kernel/test/run.sh: $tool not found" >&2; exit 2; }
done
# Not `grep -q`: it exits at the first match, and under pipefail busybox's SIGPIPE fails the test.
[[ -x /bin/busybox ]] && /bin/busybox --list | grep -x ip >/dev/null ||
	{ echo "kernel/test/run.sh: needs busybox-static (/bin/busybox)" >&2; exit 2; }

if [[ -n ${KERNEL_DIR:-} ]]; then
	bzimage=$KERNEL_DIR/bzImage
else
	bzimage=$("$here/../build.sh")
fi
kdir=$(dirname "$bzimage")

rm -rf "$out"
mkdir -p "$out/progs" "$out/root"/{bin,bpf,dev,proc,sys,tmp}
for src in "$here"/progs/*.bpf.c; do
	clang -target bpf -O2 -g -Wall -D__TARGET_ARCH_x86 -I "$kdir" -I "$here/progs" \
		-c "$src" -o "$out/root/bpf/$(basename "$src" .c).o"
done
# libbpf 1.4.6 linked statically; Debian's libelf.a cannot be (it needs elfutils' private libeu),
# so the rest is dynamic and its libraries are copied below.
gcc -O2 -Wall -Wextra -Wno-unused-parameter -o "$out/root/assoc-selftest" \
	"$here"/assoc-selftest.c "$here"/scenarios.c "$here"/harness.c \
	-Wl,-Bstatic -lbpf -Wl,-Bdynamic -lelf -lz
for lib in $(ldd "$out/root/assoc-selftest" | grep -o '/[^ ]*'); do
	mkdir -p "$out/root$(dirname "$lib")"
	cp -L "$lib" "$out/root$lib"
done
cp /bin/busybox "$out/root/bin/busybox"
install -m 755 "$here/init.sh" "$out/root/init"
(cd "$out/root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out/initramfs.cpio.gz"

echo "kernel/test/run.sh: booting $bzimage (accel $accel)" >&2
start=$(date +%s.%N)
set +e
accel_args=()
IFS=: read -ra accels <<< "$accel"
for a in "${accels[@]}"; do accel_args+=(-accel "$a"); done
timeout -k 5 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
	-m 512 -smp 2 -nographic -no-reboot \
	-kernel "$bzimage" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
	</dev/null > "$out/serial.log" 2>&1
qemu_rc=$?
set -e
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
tr -d '\r' < "$out/serial.log" | grep -E '^(ok|not ok|#|BPF-ASSOC|NET:|PTY:)' || true
echo "kernel/test/run.sh: qemu exited $qemu_rc after ${elapsed%.*} s; serial log: $out/serial.log" >&2
if ! grep -q 'BPF-ASSOC-TEST-DONE rc=0' "$out/serial.log"; then
	echo "kernel/test/run.sh: FAIL (no 'BPF-ASSOC-TEST-DONE rc=0' on the console)" >&2
	exit 1
fi
if grep -q '^not ok' "$out/serial.log"; then
	echo "kernel/test/run.sh: FAIL" >&2
	exit 1
fi
echo "kernel/test/run.sh: PASS" >&2
