#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The VM tier boots the bpf-assoc test kernel (built-in target "test-kernel"): fail at once, with
# what to do, when it is not built for the current kernel/ sources. `npm test` orders test:kernel
# (which builds it) before test:vm; BPF_ASSOC_BUILD_KERNEL=1 builds it here instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
if bash kernel/build.sh --path >/dev/null 2>&1; then
	exit 0
fi
if [[ ${BPF_ASSOC_BUILD_KERNEL:-0} == 1 ]]; then
	bash kernel/build.sh >/dev/null
	exit 0
fi
echo "test:vm: the bpf-assoc test kernel is not built for the current kernel/ sources." >&2
echo "  Build it first: npm run kernel:build (about 12 min of CPU on a cold cache; cached afterwards)," >&2
echo "  or run the VM tier with BPF_ASSOC_BUILD_KERNEL=1 to build it now." >&2
exit 1
