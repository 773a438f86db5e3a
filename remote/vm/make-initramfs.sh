#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the kernel-independent part of the bpf-assoc test VM's initramfs: busybox-static, dropbear
# and bpftool (with their shared libraries, copied from this Debian host), the boot script, the
# generated host key and the client's public key for root and for an unprivileged user "tester".
# Kernel modules go into a second archive (fetch-kernel.sh) that is concatenated after this one,
# so a kernel with the drivers built in (issue 5's test kernel) boots with this archive alone.
#   usage: make-initramfs.sh KEYS_DIR OUT.cpio.gz
set -euo pipefail
keys=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
for tool in busybox dropbear bpftool cpio gzip; do
	command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
		{ echo "make-initramfs: $tool not found (apt-get install busybox-static dropbear-bin bpftool cpio)" >&2; exit 2; }
done
busybox_bin=$(command -v busybox)
{ ldd "$busybox_bin" 2>&1 || true; } | grep -q 'not a dynamic executable' ||
	{ echo "make-initramfs: $busybox_bin is not static (apt-get install busybox-static)" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin lib64 lib/x86_64-linux-gnu etc/dropbear etc/init.d \
	root/.ssh home/tester/.ssh proc sys dev tmp run var/run mnt

cp "$busybox_bin" bin/busybox
ln -s bin/busybox init
while read -r applet; do
	[[ -e $applet || $applet == bin/busybox ]] && continue
	mkdir -p "$(dirname "$applet")"
	ln -s /bin/busybox "$applet"
done < <(busybox --list-full)

# A dynamically linked binary and every library ldd names, at the paths ldd prints.
copy_with_libs() {
	local bin=$1 dest=$2
	install -m 0755 "$bin" "$dest"
	ldd "$bin" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
		mkdir -p ".$(dirname "$lib")"
		cp -L "$lib" ".$lib"
	done
}
copy_with_libs "$(command -v dropbear || echo /usr/sbin/dropbear)" usr/sbin/dropbear
copy_with_libs "$(command -v bpftool || echo /usr/sbin/bpftool)" usr/sbin/bpftool

cat >etc/passwd <<'PASSWD'
root::0:0:root:/root:/bin/sh
tester::1000:1000:unprivileged test user:/home/tester:/bin/sh
PASSWD
printf 'root:x:0:\ntester:x:1000:\n' >etc/group
printf '/bin/sh\n' >etc/shells
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >etc/nsswitch.conf
printf '127.0.0.1 localhost bpf-assoc-vm\n' >etc/hosts
cat >etc/inittab <<'INITTAB'
::sysinit:/etc/init.d/rcS
::ctrlaltdel:/sbin/reboot -f
INITTAB
install -m 0755 "$here/guest/rcS" etc/init.d/rcS

install -m 0600 "$keys/host_ed25519" etc/dropbear/host_ed25519
install -m 0600 "$keys/client_ed25519.pub" root/.ssh/authorized_keys
install -m 0600 "$keys/client_ed25519.pub" home/tester/.ssh/authorized_keys
chmod 0700 root root/.ssh home/tester/.ssh
chmod 0755 home/tester
chmod 1777 tmp

mkdir -p "$(dirname "$out")"
find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
