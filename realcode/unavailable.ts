// What was checked by hand when a pinned package could not be measured, for docs/realcode.md. Shown
// only while the pin is the one that was checked: a bumped pin is fetched afresh and, if it fails
// too, says only what this run saw (fetch.sh's reason).
export const checkedByHand: Record<string, string[]> = {
  'udev-hid-bpf=2.3.0.20260703.4.gef5fbe3-1': [
    'Checked on 2026-12-07 through `scripts/debian-foreign.sh` (its own apt state; sid\'s `InRelease` dated',
    '2026-10-30 08:08:01 UTC) and with plain HTTP requests to the same mirror:',
    '',
    '- sid\'s Sources index lists the source package: `Package: udev-hid-bpf`, `Version: 2.3.0.20260703.4.gef5fbe3-1`,',
    '  `Directory: pool/main/u/udev-hid-bpf`, `Format: 3.0 (quilt)`, with the files',
    '  `udev-hid-bpf_2.3.0.20260703.4.gef5fbe3-1.dsc` (2400 bytes, SHA-256 `fbfd8d38ddb11df8…`),',
    '  `udev-hid-bpf_2.3.0.20260703.4.gef5fbe3.orig.tar.xz` (1212356 bytes, SHA-256 `3ba192e882648f65…`) and',
    '  `udev-hid-bpf_2.3.0.20260703.4.gef5fbe3-1.debian.tar.xz` (4588 bytes).',
    '- The mirror does not serve the sources: `http://deb.debian.org/debian/pool/main/u/udev-hid-bpf/udev-hid-bpf_2.3.0.20260703.4.gef5fbe3-1.dsc`',
    '  answers HTTP 404, `…/udev-hid-bpf_2.3.0.20260703.4.gef5fbe3.orig.tar.xz` HTTP 404; only',
    '  `…/udev-hid-bpf_2.3.0.20260703.4.gef5fbe3-1.debian.tar.xz` (Debian\'s packaging, no BPF sources) answers 200.',
    '  `scripts/debian-foreign.sh source` (`apt-get source --download-only`) fails with `E: Failed to fetch` and',
    '  these two 404s, every time the gate runs (the "This run" line above).',
    '- The binary package of the same version is served (`udev-hid-bpf_2.3.0.20260703.4.gef5fbe3-1_amd64.deb`,',
    '  961944 bytes, HTTP 200). It carries 56 compiled objects (`/usr/lib/x86_64-linux-gnu/bpf/*.bpf.o`) and no',
    '  sources: nothing in it can be checked from sources alone, which is what this gate measures.',
  ],
};
