// The object a `bpf_object__open*()` call opens, by the evidence its arguments give: a file path
// written as a literal (`bpf_object__open_file("x.bpf.o", NULL)`), or, for
// `bpf_object__open_mem(buf, len, opts)`, the array that holds the object's bytes when it is named
// as `xxd -i` names the array of a file (`bpf_kernel_o[]` for bpf-kernel.o, `x_bpf_o[]` for
// x.bpf.o: knot's generated bpf-kernel-obj.c), the same naming evidence skeletons link by.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { objectNamesForObject } from '../objectNames';
import { unwrap } from './refs';

const OPEN_FROM_FILE = new Set(['bpf_object__open_file', 'bpf_object__open']);

/** The object name for an object file's path: `x.bpf.o` -> `x`, `bpf-kernel.o` -> `bpf_kernel`. */
function objectNameOfFile(path: string): string | undefined {
  const names = objectNamesForObject(path);
  return names[1] ?? names[0];
}

/** `bpf_kernel_o` -> `bpf_kernel.o`, `x_bpf_o` -> `x.bpf.o`: the file `xxd -i` named the array after. */
export function objectFileOfArray(name: string): string | null {
  const bpf = /^(\w+)_bpf_o$/.exec(name);
  if (bpf?.[1]) return `${bpf[1]}.bpf.o`;
  const plain = /^(\w+)_o$/.exec(name);
  return plain?.[1] ? `${plain[1]}.o` : null;
}

/** The array a buffer argument names: `arr`, `&arr[0]`, `(void *)arr`. */
function arrayNamed(n: Node | null): string | null {
  let e = unwrap(n);
  if (e?.type === 'pointer_expression') e = unwrap(e.childForFieldName('argument'));
  if (e?.type === 'subscript_expression') e = unwrap(e.childForFieldName('argument'));
  return e?.type === 'identifier' ? e.text : null;
}

/**
 * The object name a call opens, or undefined when the call opens none or its arguments do not
 * say which (a path or buffer known only at run time: the object stays unlinked).
 */
export function objectOpenedBy(fn: string, call: Node, args: (Node | null)[]): string | undefined {
  if (OPEN_FROM_FILE.has(fn)) {
    const path = /"([^"]+)"/.exec(call.text)?.[1];
    return path ? objectNameOfFile(path) : undefined;
  }
  if (fn === 'bpf_object__open_mem') {
    const array = arrayNamed(args[0] ?? null);
    const file = array ? objectFileOfArray(array) : null;
    return file ? objectNameOfFile(file) : undefined;
  }
  return undefined;
}
