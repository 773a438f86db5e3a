// An object loaded by several loaders (pcp's PMDA and bcc's tool both load one object), or by one
// loader's several lifecycles, is replayed once per loader lifecycle: one scenario each. A
// program's headline state must not claim what only one of them does as if all did. It is poisoned
// when any scenario poisons it (one feasible path of one loader attaches both maps); otherwise it
// is the first scenario's that has the program (a scenario without it says nothing about it).
// Where the scenarios that have it disagree, decidedBy.when names the loader the headline holds for
// ("loaded by pmda.c", or the path condition, which names its loader already); each scenario's own
// state stays in byScenario.
import type { AssociationState, DecidedBy, ModelProgram } from '../model';
import type { ReplayOutcome } from './pathReplay';

function stateKey(a: AssociationState | undefined): string {
  if (!a) return '';
  const maps = a.state === 'auto' || a.state === 'explicit' ? [a.map] : a.state === 'poisoned' ? a.maps : [];
  return `${a.state} ${maps.join(' ')}`;
}

/** The fewest trailing path segments that tell `file` from the other loaders (`modules/biosnoop.c` beside `libbpf-tools/biosnoop.c`). */
function shortName(file: string, others: string[]): string {
  const parts = file.split('/');
  for (let n = 1; n < parts.length; n++) {
    const tail = parts.slice(-n).join('/');
    if (!others.some((o) => o !== file && (o === tail || o.endsWith(`/${tail}`)))) return tail;
  }
  return file;
}

/** `pmda.c`, or `pmda.c (in setup())` when that loader runs the object more than once. */
function loaderLabel(outcomes: ReplayOutcome[], by: DecidedBy): string {
  const loaders = outcomes.map((o) => o.scenario.loader).filter((l): l is string => l !== null);
  const file = by.loader ? shortName(by.loader, loaders) : 'no loader';
  const several = outcomes.filter((o) => o.scenario.loader === by.loader).length > 1;
  return several && by.lifecycle ? `${file} (${by.lifecycle})` : file;
}

export interface HeadlineState {
  autoload: boolean;
  association: AssociationState;
  decided: Pick<ModelProgram, 'decidedBy' | 'byPath'>;
}

/** The headline state of a program over the object's scenarios, with the loader that decided it; null when no scenario has it. */
export function headlineOf(outcomes: ReplayOutcome[], program: string): HeadlineState | null {
  const states = outcomes.map((o) => o.programs.get(program));
  const poisoning = states.findIndex((s) => s?.association.state === 'poisoned');
  const index = poisoning >= 0 ? poisoning : states.findIndex((s) => s !== undefined);
  const outcome = outcomes[index];
  const state = states[index];
  if (!outcome || !state) return null;
  const by = outcome.decidedBy.get(program);
  const paths = outcome.byPath.get(program);
  const decidedBy: DecidedBy | undefined = by ? { ...by } : undefined;
  if (decidedBy && outcomes.length > 1) {
    decidedBy.scenario = index;
    const key = stateKey(state.association);
    // A path condition already names its lifecycle and loader file (`cbs` (in run_one() of loader.c)).
    if (!decidedBy.when && states.some((s) => s !== undefined && stateKey(s.association) !== key)) decidedBy.when = `loaded by ${loaderLabel(outcomes, decidedBy)}`;
  }
  return { autoload: state.autoload, association: state.association, decided: { decidedBy, byPath: paths?.length ? paths : undefined } };
}
