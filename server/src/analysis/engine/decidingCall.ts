// The loader call that decided a program's state on a path, for `decidedBy.at`: the attach of the
// map (or maps) that associate it, its association call, or the autoload change or slot write that
// left it unloaded. C and Rust loaders alike (their actions are the same).
import type { LoaderAction, Location } from '../facts';
import type { AssociationState } from '../model';

/** `homes`: the slots (`map.member`) the object compiles the program into. */
export function decidingCall(program: string, a: AssociationState, actions: LoaderAction[], homes: ReadonlySet<string>): Location | undefined {
  switch (a.state) {
    case 'auto':
    case 'poisoned': {
      const maps = new Set(a.state === 'auto' ? [a.map] : a.maps);
      const attach = actions.find((x) => (x.kind === 'attach_struct_ops' && maps.has(x.map.name)) || (x.kind === 'attach' && !x.programsOnly));
      return attach?.location;
    }
    case 'explicit':
    case 'rejected':
      return a.calls[0];
    case 'not-loaded': {
      const change = [...actions].reverse().find((x) => (x.kind === 'set_autoload' && x.program.name === program) || (x.kind === 'slot_assign' && x.program?.name !== program && homes.has(`${x.map.name}.${x.member}`)));
      return change?.location;
    }
    default:
      return undefined;
  }
}
