// Which `#if`/`#ifdef` branches a BPF build compiles, as far as we can tell without the command
// line: clang -target bpf defines __bpf__ and __BPF__; libbpf projects pass -D__TARGET_ARCH_x86
// on x86 and no other architecture. Anything else is unknown, and then both branches are read.
import type { Node } from '../c/parser';

export type Truth = boolean | null;

const DEFINED = new Set(['__bpf__', '__BPF__', '__clang__', '__TARGET_ARCH_x86', '__BPF_TRACING__']);
const TARGET_ARCH = /^__TARGET_ARCH_\w+$/;

/** Where the file `#define`s each name (first time, as an offset), for "defined before here". */
export type FileDefines = ReadonlyMap<string, number>;

export function isDefined(name: string, fileDefines: FileDefines, at: number): Truth {
  if (DEFINED.has(name)) return true;
  const where = fileDefines.get(name);
  if (where !== undefined && where < at) return true;
  if (TARGET_ARCH.test(name)) return false;
  return null;
}

function not(t: Truth): Truth {
  return t === null ? null : !t;
}

/** A `#if` expression: `defined(X)`, `defined X`, `!`, `&&`, `||`, parentheses, integer literals. */
export function evaluate(expr: Node | null, fileDefines: FileDefines): Truth {
  if (!expr) return null;
  const at = expr.startIndex;
  switch (expr.type) {
    case 'number_literal':
      return Number.parseInt(expr.text, 10) !== 0;
    case 'preproc_defined': {
      const name = expr.namedChildren.find((c) => c?.type === 'identifier')?.text;
      return name ? isDefined(name, fileDefines, at) : null;
    }
    case 'parenthesized_expression':
      return evaluate(expr.namedChildren[0] ?? null, fileDefines);
    case 'unary_expression':
      return expr.childForFieldName('operator')?.text === '!' ? not(evaluate(expr.childForFieldName('argument'), fileDefines)) : null;
    case 'binary_expression': {
      const op = expr.childForFieldName('operator')?.text;
      const a = evaluate(expr.childForFieldName('left'), fileDefines);
      const b = evaluate(expr.childForFieldName('right'), fileDefines);
      if (op === '&&') return a === false || b === false ? false : a === true && b === true ? true : null;
      if (op === '||') return a === true || b === true ? true : a === false && b === false ? false : null;
      return null;
    }
    default:
      return null;
  }
}

/** Whether the branch a preprocessor conditional node opens is compiled. */
export function branchTruth(node: Node, fileDefines: FileDefines): Truth {
  if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
    const name = node.childForFieldName('name')?.text;
    const t = name ? isDefined(name, fileDefines, node.startIndex) : null;
    return /^#\s*(ifndef|elifndef)\b/.test(node.text) ? not(t) : t;
  }
  if (node.type === 'preproc_if' || node.type === 'preproc_elif') return evaluate(node.childForFieldName('condition'), fileDefines);
  return null;
}
