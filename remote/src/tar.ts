// A minimal ustar archive writer: several files through one ssh session's stdin, unpacked on the
// target by `tar -xf -` (GNU tar, bsdtar and busybox tar all read ustar). Pure.

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) h[offset + i] = text.charCodeAt(i) & 0xff;
  };
  put(0, name);
  put(100, octal(mode, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(mtime, 12));
  put(148, '        '); // checksum field counts as spaces while summing
  put(156, '0');
  put(257, 'ustar\0');
  put(263, '00');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export interface TarEntry {
  /** A plain file name or relative path of at most 100 ASCII characters. */
  name: string;
  bytes: Uint8Array;
  mode?: number;
}

export function ustar(entries: TarEntry[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (!/^[\x21-\x7e]{1,100}$/.test(e.name) || e.name.startsWith('/') || e.name.split('/').includes('..')) {
      throw new Error(`cannot put ${JSON.stringify(e.name)} in a ustar archive`);
    }
    parts.push(header(e.name, e.bytes.length, e.mode ?? 0o644, mtime), e.bytes);
    const pad = (BLOCK - (e.bytes.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
