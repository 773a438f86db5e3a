// The text builders of the associate quick fix's error check (server/src/features/errorCheck.ts):
// messages reworded with conversions and arguments kept, and no template text that throws.
import { strict as assert } from 'node:assert';
import { checkedCall, rewriteMessage, type AddedCall } from '../../server/src/features/errorCheck';

const ADDED: AddedCall = { call: 'bpf_program__assoc_struct_ops(skel->progs.p, skel->maps.m, NULL)', program: 'p', map: 'm', skeletonVar: 'skel', destroy: 'x__destroy(skel)' };

describe('associate quick fix: the check it copies from the loader', () => {
  it('rewords a message, keeping its conversions, escapes and the words around them', () => {
    assert.equal(rewriteMessage('load failed: %d\\n', ADDED), 'failed to associate p with m: %d\\n');
    assert.equal(rewriteMessage('%s: load failed: %d\\n', ADDED), '%s: failed to associate p with m: %d\\n');
    assert.equal(rewriteMessage('Failed to load and verify BPF skeleton\\n', ADDED), 'Failed to associate p with m\\n');
    assert.equal(rewriteMessage('failed to attach: %s (%ld)\\n', ADDED), 'failed to associate p with m: %s (%ld)\\n');
    assert.equal(rewriteMessage('skel_load', ADDED), 'bpf_program__assoc_struct_ops', "a test name such as ASSERT_OK's");
    assert.equal(rewriteMessage('%d', ADDED), '%d', 'nothing to reword');
  });

  it("renames the program and map of an association call's message, whatever characters they hold", () => {
    const names = { program: 'syscall_prog_a', map: 'st_ops_map_a' };
    assert.equal(rewriteMessage('associating syscall_prog_a with st_ops_map_a failed: %d\\n', ADDED, names), 'associating p with m failed: %d\\n');
    const odd: AddedCall = { ...ADDED, program: '$&', map: '$1' };
    assert.equal(rewriteMessage('a.b with (x)', odd, { program: 'a.b', map: '(x)' }), '$& with $1');
  });

  it('does not copy `int ret = NAME__attach(skel);` from below: ret is not declared where the call goes', () => {
    const loader = 'int main(void)\n{\n\tstruct x *skel = x__open_and_load();\n\n\tif (!skel)\n\t\treturn 1;\n\tint ret = x__attach(skel);\n\tif (ret)\n\t\tgoto out;\nout:\n\tx__destroy(skel);\n\treturn 0;\n}\n';
    const insertAt = loader.indexOf('\tint ret');
    const attach = loader.indexOf('x__attach(skel)');
    const open = loader.indexOf('x__open_and_load()');
    const templates = [
      { start: attach, end: attach + 'x__attach(skel)'.length, returns: 'int' as const },
      { start: open, end: open + 'x__open_and_load()'.length, returns: 'pointer' as const },
    ];
    assert.equal(checkedCall(loader, templates, ADDED, insertAt).block, `if (${ADDED.call}) {\n\t\tx__destroy(skel);\n\t\treturn 1;\n\t}`);
    // Declared above the added code, it is in scope: the attach check is the model.
    assert.equal(checkedCall(loader, templates, ADDED, loader.length).block, `ret = ${ADDED.call};\n\tif (ret)\n\t\tgoto out;`);
  });

  it('never throws on loader text cut anywhere; an unchecked call gets the bare call', () => {
    const loader = 'int main(void)\n{\n\tstruct x *skel = x__open();\n\tif (!skel)\n\t\treturn 1;\n\terr = x__load(skel);\n\tif (err) {\n\t\tfprintf(stderr, "load: %d\\n", err);\n\t\tgoto out;\n\t}\nout:\n\treturn 0;\n}\n';
    const load = loader.indexOf('x__load(skel)');
    for (let cut = 0; cut <= loader.length; cut++) {
      const text = loader.slice(0, cut);
      const r = checkedCall(text, [{ start: Math.min(load, text.length), end: Math.min(load + 'x__load(skel)'.length, text.length), returns: 'int' }, { start: 0, end: Math.min(8, text.length), returns: 'pointer' }], ADDED);
      assert.equal(typeof r.block, 'string');
    }
    assert.equal(checkedCall(loader, [{ start: load, end: load + 'x__load(skel)'.length, returns: 'int' }], ADDED).block, `err = ${ADDED.call};\n\tif (err) {\n\t\tfprintf(stderr, "failed to associate p with m: %d\\n", err);\n\t\tgoto out;\n\t}`);
    const bare = 'int main(void)\n{\n\tx__load(skel);\n}\n';
    assert.deepEqual(checkedCall(bare, [{ start: bare.indexOf('x__load'), end: bare.indexOf(';'), returns: 'int' }], ADDED), { block: `${ADDED.call};`, base: '' });
  });
});
