// Path signatures of the loader reader (loader/pathState.ts): with SequenceIds, the actions of a
// segment are named by their sequence, so a signature stays short however many calls the path made
// (merging paths of a loader with hundreds of calls was quadratic), and equal paths still merge.
import { strict as assert } from 'node:assert';
import type { LoaderAction } from '../../server/src/analysis/facts';
import { actionKey } from '../../server/src/analysis/loader/lifecycleRecords';
import { PathState, SequenceIds } from '../../server/src/analysis/loader/pathState';
import { Scope } from '../../server/src/analysis/loader/refs';

function load(line: number): LoaderAction {
  const at = { line, character: 1 };
  return { kind: 'load', location: { file: '/x/loader.c', range: { start: at, end: at } }, phase: 'opened', inFunction: 'main', skeleton: 'x' };
}

function pathWith(actions: LoaderAction[]): PathState {
  const st = new PathState([{ fn: 'main', scope: new Scope() }], new Map([['x', 'loaded']]), new Map(), new Map(), new Map(), new Set(), new Map());
  st.segments.set('x', { key: '3:1:x', skeleton: 'x', open: null, inFunction: 'main', depth: 1, actions: [...actions], literals: [], givesUp: false });
  return st;
}

describe('loader path signatures', () => {
  const actions = Array.from({ length: 2000 }, (_, i) => load(i + 10));

  it('name the actions by their sequence: short for a long path, equal for equal paths', () => {
    const ids = new SequenceIds();
    const a = pathWith(actions);
    const b = pathWith(actions);
    const sa = a.signature(actionKey, ids);
    assert.ok(sa.length < 200, `${sa.length} characters`);
    assert.equal(b.signature(actionKey, ids), sa);
    // Written out, the same signature holds every action.
    assert.ok(pathWith(actions).signature(actionKey).length > 2000 * 10);
  });

  it('tell apart paths whose calls, order or checked results differ', () => {
    const ids = new SequenceIds();
    const base = pathWith(actions.slice(0, 3)).signature(actionKey, ids);
    assert.notEqual(pathWith(actions.slice(0, 2)).signature(actionKey, ids), base);
    assert.notEqual(pathWith([actions[1], actions[0], actions[2]] as LoaderAction[]).signature(actionKey, ids), base);
    const failed = pathWith(actions.slice(0, 3));
    failed.failed.add(actions[1] as LoaderAction);
    assert.notEqual(failed.signature(actionKey, ids), base);
  });

  it('stay right as a path makes more calls and takes the failing side of one', () => {
    const ids = new SequenceIds();
    const growing = pathWith(actions.slice(0, 5));
    growing.signature(actionKey, ids);
    const seg = growing.segments.get('x');
    seg?.actions.push(...actions.slice(5, 9));
    assert.equal(growing.signature(actionKey, ids), pathWith(actions.slice(0, 9)).signature(actionKey, ids));
    growing.failed.add(actions[2] as LoaderAction);
    const fresh = pathWith(actions.slice(0, 9));
    fresh.failed.add(actions[2] as LoaderAction);
    assert.equal(growing.signature(actionKey, ids), fresh.signature(actionKey, ids));
    // Written out, extended the same way.
    const text = pathWith(actions.slice(0, 5));
    text.signature(actionKey);
    text.segments.get('x')?.actions.push(...actions.slice(5, 9));
    assert.equal(text.signature(actionKey), pathWith(actions.slice(0, 9)).signature(actionKey));
  });
});
