// Loader calls on a program or map the Rust reading cannot name (`map.attach_struct_ops()` in a loop
// over the object's maps, `obj.map_mut(name)` with a variable name): each is said in a note
// (parse-limit, info) naming the call and its line, never silently taken as not made.
import type { Location, ReadProblem } from '../facts';

export class UnreadCalls {
  private readonly calls = new Map<string, ReadProblem>();

  /** `call`: the call as written (`map.attach_struct_ops()`); `what`: what it acts on. Once per place. */
  add(location: Location, call: string, what: 'map' | 'program'): void {
    const key = `${location.range.start.line}:${location.range.start.character}`;
    if (this.calls.has(key)) return;
    const shown = call.length > 80 ? `${call.slice(0, 77)}...` : call;
    const field = what === 'map' ? 'skel.maps.M' : 'skel.progs.P';
    const byName = what === 'map' ? 'map_mut("M")' : 'prog_mut("P")';
    this.calls.set(key, {
      rule: 'parse-limit',
      message: `\`${shown}\` (line ${location.range.start.line + 1}) acts on a ${what} this reading cannot name: it reads \`${field}\`, \`${byName}\` with a literal name and variables bound to them. What this call does is not modelled.`,
      location,
    });
  }

  problems(): ReadProblem[] {
    return [...this.calls.values()];
  }
}
