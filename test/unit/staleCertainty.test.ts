// stale-object/stale-skeleton compare what the build says with what the source says only where
// the source model is certain: not inside code the reader could not read (parse-limit) nor under
// a condition it could not decide (facts.uncertain), per program, map and slot.
import { strict as assert } from 'node:assert';
import type { BpfObjectFacts, Location, ProgramFact, StructOpsMapFact } from '../../server/src/analysis/facts';
import { differences, staleFinding } from '../../server/src/analysis/engine/staleness';

const SRC = '/ws/sched.bpf.c';

function at(line: number, endLine = line): Location {
  return { file: SRC, range: { start: { line, character: 0 }, end: { line: endLine, character: 1 } } };
}

function program(name: string, line: number, hintLine?: number): ProgramFact {
  return {
    name, section: 'struct_ops', kind: 'struct_ops', sleepable: false, autoload: true, location: at(line), kfuncCalls: [], callbacks: [],
    ...(hintLine !== undefined ? { sourceHint: { file: './sched.bpf.c', line: hintLine } } : {}),
  };
}

function map(name: string, line: number, endLine: number, slots: [string, string][]): StructOpsMapFact {
  return {
    name, structType: 'sched_ext_ops', kernelType: 'sched_ext_ops', section: '.struct_ops.link', link: true, autocreate: true,
    location: at(line), extent: at(line, endLine).range, slots: slots.map(([member, p]) => ({ member, program: p, location: at(line + 1) })),
  };
}

function facts(origin: 'source' | 'object', programs: ProgramFact[], maps: StructOpsMapFact[], extra: Partial<BpfObjectFacts> = {}): BpfObjectFacts {
  return { origin, file: origin === 'source' ? SRC : '/ws/sched.bpf.o', objectNames: ['sched'], programs, structOpsMaps: maps, otherMaps: [], kfuncDecls: [], problems: [], ...extra };
}

const notRead = { rule: 'parse-limit' as const, message: 'sched.bpf.c, lines 20–30: the C parser could not read this code', location: at(19, 29) };

describe('stale objects: only certain differences count', () => {
  it('a program the build has and the source reading lost in unread lines is not stale', () => {
    const source = facts('source', [program('a', 5)], [], { problems: [notRead] });
    const built = facts('object', [program('a', 0, 5), program('b', 0, 24)], []);
    assert.deepEqual(differences(source, built), []);
    assert.equal(staleFinding('object', at(0), '/ws/sched.bpf.o', source, built, 'built'), null);
  });

  it('a program the build has outside the unread lines is still stale, and the rest is said to be left out', () => {
    const source = facts('source', [program('a', 5)], [], { problems: [notRead] });
    const built = facts('object', [program('a', 0, 5), program('b', 0, 24), program('c', 0, 40)], []);
    assert.deepEqual(differences(source, built).map((d) => d.text), ['program `c` is no longer in the source']);
    const f = staleFinding('object', at(0), '/ws/sched.bpf.o', source, built, 'built');
    assert.match(f?.message ?? '', /program `c` is no longer in the source/);
    assert.doesNotMatch(f?.message ?? '', /`b`/);
    assert.match(f?.message ?? '', /1 other difference is left out/);
  });

  it('without line info, a program only the build has is uncertain when any part of the source is', () => {
    const source = facts('source', [program('a', 5)], [], { problems: [notRead] });
    assert.deepEqual(differences(source, facts('object', [program('a', 0), program('b', 0)], [])), []);
    assert.equal(differences(facts('source', [program('a', 5)], []), facts('object', [program('a', 0), program('b', 0)], [])).length, 1);
  });

  it('under an undecided condition (no extent recorded: to the end of the file), programs and slots are not compared', () => {
    const uncertain = [{ reason: '__clang_major__ depends on the clang version', location: at(10, 10) }];
    uncertain[0]!.location.range.end = uncertain[0]!.location.range.start;
    const source = facts('source', [program('a', 5), program('extra', 12)], [map('ops', 14, 18, [['enqueue', 'extra']])], { uncertain });
    const built = facts('object', [program('a', 0, 5)], [map('ops', 0, 0, [])]);
    assert.deepEqual(differences(source, built), []);
  });

  it('a slot of a map that was read whole is compared as before', () => {
    const source = facts('source', [program('a', 5)], [map('ops', 14, 18, [['enqueue', 'a']])], { problems: [notRead] });
    const built = facts('object', [program('a', 0, 5)], [map('ops', 0, 0, [['enqueue', 'a'], ['dispatch', 'a']])]);
    assert.deepEqual(differences(source, built).map((d) => d.text), ['slot `ops.dispatch` holds `a`, which the source no longer sets']);
  });
});
