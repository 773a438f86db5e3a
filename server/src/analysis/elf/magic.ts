// Telling a BPF ELF object from other files by its first bytes, without reading it.

/** ELF with e_machine EM_BPF (247), either byte order; a truncated header counts (and is reported). */
export function isBpfElf(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return false;
  if (bytes.length < 20) return true;
  const machine = bytes[5] === 2 ? ((bytes[18] ?? 0) << 8) | (bytes[19] ?? 0) : (bytes[18] ?? 0) | ((bytes[19] ?? 0) << 8);
  return machine === 247;
}

