// classifyProgramSection reads a section name as libbpf's sec_def_matches() does: "struct_ops+"
// is the name itself or the name, `/` and anything after, a newline or a carriage return too
// (hostile names from npm run fuzz: `.` in the pattern stopped at a newline, so
// SEC("struct_ops/a\nb") was not a struct_ops program while libbpf loads it as one).
import { strict as assert } from 'node:assert';
import { classifyProgramSection } from '../../server/src/analysis/sections';

describe('struct_ops section names with line breaks', () => {
  const cases: [string, string][] = [
    ['struct_ops', 'struct_ops'],
    ['struct_ops/init', 'struct_ops'],
    ['struct_ops/a\nb', 'struct_ops'],
    ['struct_ops/a\r\nsrc/x.c:1:1: error: injected', 'struct_ops'],
    ['struct_ops/\u2028', 'struct_ops'],
    ['?struct_ops.s/a\nb', 'struct_ops sleepable optional'],
    ['struct_ops\n/a', 'other'],
    ['struct_opsx/a', 'other'],
    ['struct_ops.s\n', 'other'],
  ];
  for (const [name, want] of cases) {
    it(JSON.stringify(name), () => {
      const c = classifyProgramSection(name);
      assert.equal([c.kind, c.kind === 'struct_ops' && c.sleepable ? 'sleepable' : '', c.autoload ? '' : 'optional'].filter(Boolean).join(' '), want);
    });
  }
});
