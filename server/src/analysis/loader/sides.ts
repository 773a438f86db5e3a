// Which side of a branch matters to the loader reader: one that makes a loader call, follows a
// helper, or leaves (returns, jumps, exits) before a loader call; and which side gives up (leaves
// without any loader call but destroy: an error check). Found once per syntax node.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Arm, StepReader } from './flowApi';
import { stepCallee, stepType } from './stepIndex';

const LEAVES = /\b(return|goto|break|continue)\b|\b(exit|_exit|abort|errx|SCX_FAIL|SCX_FAIL_IF|SCX_BUG_ON|SCX_BUG)\s*\(/;
const DESTROY = /__destroy$|^bpf_link__destroy$|^bpf_object__close$/;

export class Sides {
  private readonly interest = new Map<number, boolean>();
  private readonly giveUp = new Map<number, boolean>();

  constructor(private readonly reader: StepReader) {}

  /** A side makes a loader call, follows a helper, or leaves the block before a loader call. */
  interesting(a: Arm | Node | null, at: Node | null): boolean {
    if (a === null) return false;
    if (typeof a === 'string') return !!at && this.reader.callsAfter(at);
    let v = this.interest.get(a.id);
    if (v === undefined) {
      // Leaving early, or destroying the skeleton, matters only when a loader call (but destroy) follows.
      v = this.callsLoader(a, true) || ((LEAVES.test(a.text) || this.callsLoader(a, false)) && this.reader.callsAfter(at ?? a));
      this.interest.set(a.id, v);
    }
    return v;
  }

  /** A side that leaves (returns, jumps, exits) without any loader call but destroy: an error check. */
  givesUp(a: Arm): boolean {
    if (a === null) return false;
    if (typeof a === 'string') return true;
    let v = this.giveUp.get(a.id);
    if (v === undefined) {
      v = LEAVES.test(a.text) && !this.callsLoader(a, true);
      this.giveUp.set(a.id, v);
    }
    return v;
  }

  callsLoader(n: Node, exceptDestroy: boolean): boolean {
    return this.reader.steps(n).some((s) => {
      const type = stepType(s);
      if (type === 'assignment_expression') return /\bstruct_ops\s*\.\s*\w+\s*->/.test(s.childForFieldName('left')?.text ?? '');
      if (type !== 'call_expression') return false;
      const fn = stepCallee(s);
      if (exceptDestroy && DESTROY.test(fn)) return false;
      return this.reader.isLoaderCall(fn) || !!this.reader.relevantFunction(fn);
    });
  }
}
