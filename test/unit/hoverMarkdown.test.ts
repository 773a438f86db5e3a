// Hover Markdown and user-controlled strings (issue 12, defect 6): a section name or a file name is
// text in the hover, never a link or markup of its own.
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { mapHover, programHover, slotHover } from '../../server/src/features/hoverText';
import { mdCode, mdText } from '../../server/src/output/markdown';
import { analyse, BASE, source, view } from './hostileNames';

describe('hover Markdown escapes what the user wrote', () => {
  const section = 'struct_ops/x` [click me](https://evil.example/) `';

  it('a section name cannot leave its code span or make a link', async () => {
    const { ws, model } = await analyse({ 'x.bpf.c': source(section, '.struct_ops.link') });
    const p = model.programs.find((q) => q.name === 'prog_x');
    assert.ok(p);
    const md = programHover(view(ws, model), p);
    const line = md.split('\n').find((l) => l.includes('click me'));
    assert.ok(line, md);
    // The whole SEC(...) sits in one code span whose fence is longer than any backtick run inside.
    assert.equal(line, '``SEC("struct_ops/x` [click me](https://evil.example/) `")``');
    assert.doesNotMatch(md.replace(/``[^\n]*?``/g, ''), /\]\(https:\/\/evil/);
  });

  it('a map section and file names with Markdown metacharacters stay text', async () => {
    const name = 'we](javascript:alert(1)) *x*.bpf.c';
    const { ws, model } = await analyse({ [name]: source('struct_ops/test_1', '.struct_ops.link') });
    const m = model.maps.find((q) => q.name === 'st_map');
    const s = m?.slots[0];
    assert.ok(m && s);
    const md = [mapHover(view(ws, model), m), slotHover(view(ws, model), m, s), programHover(view(ws, model), model.programs[0]!)].join('\n');
    // Every link is [escaped text](a percent-encoded file uri that decodes back to the path).
    const links = [...md.matchAll(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)/g)];
    assert.ok(links.length > 0, md);
    for (const [, label, target] of links) {
      assert.match(target ?? '', /^file:\/\/\/[A-Za-z0-9\-._~/%]*#L\d+$/);
      assert.equal(fileURLToPath((target ?? '').replace(/#.*/, '')), `${BASE}/${name}`);
      assert.doesNotMatch(label ?? '', /(?<!\\)[[\]*`]/);
    }
    assert.doesNotMatch(md, /(?<!\\)\]\(javascript:/);
  });
});


describe('Markdown escaping of plain text and code spans', () => {
  it('plain text: no autolink, emphasis, HTML or block; identifiers unchanged', () => {
    assert.equal(mdText('st_ops_map_a.test_1'), 'st_ops_map_a.test_1');
    assert.equal(mdText('_x_ *y* <b> &amp; ~~z~~'), '\\_x\\_ \\*y\\* \\<b\\> \\&amp; \\~\\~z\\~\\~');
    assert.equal(mdText('see https://evil.example and www.evil.example or a@b.c'), 'see https\\://evil.example and www\\.evil.example or a\\@b.c');
    assert.equal(mdText('# heading'), '\\# heading');
    assert.equal(mdText('1. item'), '1\\. item');
    assert.equal(mdText('a\nb'), 'a\\\\nb');
  });

  it('code spans: a fence longer than any backtick run, padded at a backtick edge', () => {
    assert.equal(mdCode('plain'), '`plain`');
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('a``b`'), '``` a``b` ```');
    assert.equal(mdCode('x\ny'), '`x\\ny`');
  });
});
