#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the test-only initramfs: mount what the self-test needs, run it, report, reboot.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
echo "BPF-ASSOC-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)"
# The VM run needs these: a virtio-net interface that comes up, and ptys for dropbear.
for dev in /sys/class/net/*; do
	name=${dev##*/}
	[ "$name" = lo ] && continue
	ip link set "$name" up
	echo "NET: $name driver=$(basename "$(readlink "$dev/device/driver")") operstate=$(cat "$dev/operstate")"
done
[ -c /dev/ptmx ] && echo "PTY: /dev/ptmx present"
/assoc-selftest /bpf
rc=$?
echo "BPF-ASSOC-TEST-DONE rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
reboot -f
