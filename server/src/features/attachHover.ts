// Hover on a loader's attach call: which struct_ops maps it attaches, and on which paths. In a Rust
// (libbpf-rs) loader `skel.maps.M.attach_struct_ops()` attaches M, `scx_ops_attach!(skel, M)` the
// programs and then M, and `skel.attach()` the programs only (libbpf-rs fills no map links, so
// libbpf skips every struct_ops map); in C, `bpf_map__attach_struct_ops(skel->maps.M)` and
// `NAME__attach(skel)`. The cursor is on the call but not on a map or program it names (those
// have their own hovers).
import type { Hover, Position } from 'vscode-languageserver/node';
import type { LoaderAction, LoaderFacts, Location } from '../analysis/facts';
import type { ModelMap } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { mdCode, mdText } from '../output/markdown';
import { contains } from './targets';

type SkeletonCall = Extract<LoaderAction, { skeleton: string }>;
type AttachAction = Extract<LoaderAction, { kind: 'attach_struct_ops' }> | (SkeletonCall & { kind: 'attach' });

const isAttach = (a: LoaderAction): a is AttachAction => a.kind === 'attach' || a.kind === 'attach_struct_ops';

const same = (a: Location, b: Location): boolean =>
  a.file === b.file && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;

function loaderFacts(view: AnalysisView, path: string): LoaderFacts | undefined {
  const f = view.facts(path);
  return f && 'actions' in f ? f : undefined;
}

/** The conditions of the paths that make the call, when not every path of its lifecycle does. */
function pathsMaking(facts: LoaderFacts, a: LoaderAction): string {
  for (const c of facts.lifecycles ?? []) {
    const making = c.paths.filter((p) => p.actions.some((x) => x.kind === a.kind && same(x.location, a.location)));
    if (!making.length) continue;
    const kept = c.paths.filter((p) => !p.givesUp);
    if (making.length >= kept.length) return 'on every path of the loader';
    const when = making
      .flatMap((p) => p.when)
      .map((w) => w.filter((l) => !l.guard).map((l) => l.text).join(' && '))
      .filter((t) => t.length);
    return when.length ? `only on the paths where ${[...new Set(when)].slice(0, 4).map(mdCode).join(' or ')}` : 'on some paths of the loader';
  }
  return 'on the paths that reach it';
}

function mapLine(m: ModelMap): string {
  const filled = m.slots.filter((s) => s.program !== null).map((s) => s.program as string);
  const programs = filled.length ? `: ${filled.slice(0, 8).map(mdCode).join(', ')}${filled.length > 8 ? `, … (${filled.length})` : ''}` : '';
  const state = m.attached ? 'attached' : 'never attached on any path';
  return `- struct_ops map ${mdCode(m.name)} of object ${mdCode(m.object)} (${state}; ${m.autocreate ? 'created' : 'autocreate off'}), associating the programs of its slots${programs}`;
}

/** The hover of an attach call at the position of a loader file, or null. */
export function attachCallHover(view: AnalysisView, path: string, pos: Position): Hover | null {
  const facts = loaderFacts(view, path);
  if (!facts) return null;
  const calls = facts.actions.filter((a): a is AttachAction => isAttach(a) && a.location.file === path && contains(a.location.range, pos));
  if (!calls.length) return null;
  const objects = new Set(view.model.objects.filter((o) => o.loaders.includes(path)).map((o) => o.id));
  const rust = facts.language === 'rust';
  const lines: string[] = [];
  for (const a of calls) {
    if (a.kind === 'attach_struct_ops') {
      // A map the loader names at run time (`find_map_by_name(obj, names[i])`, a for_each variable) may be any of them.
      const named = !a.map.atRunTime;
      const maps = view.model.maps.filter((m) => objects.has(m.object) && (!named || m.name === a.map.name));
      const which = named ? `the struct_ops map ${mdCode(a.map.name)}` : a.map.atRunTime === 'every' ? `every struct_ops map (${mdCode(a.map.written ?? '')})` : `the struct_ops map it names at run time (${mdCode(a.map.written ?? '')}), any of these`;
      lines.push(`**${rust ? 'attach_struct_ops()' : 'bpf_map__attach_struct_ops()'}** attaches ${which}, ${pathsMaking(facts, a)}.`, '');
      if (maps.length) lines.push(...maps.map((m) => mapLine(m)));
      else lines.push(`- no struct_ops map ${mdCode(a.map.name)} in the objects this loader drives`);
    } else {
      const what = rust ? `${mdText('attach()')} of the skeleton` : `${mdText(`${a.skeleton}__attach()`)}`;
      lines.push(`**${what}** attaches the skeleton's programs (object ${mdCode(a.skeleton)}), ${pathsMaking(facts, a)}.`, '');
      if (a.programsOnly) lines.push(`- no struct_ops map: libbpf-rs fills no map links in its skeleton, so libbpf skips every struct_ops map; a map is attached by ${mdCode('attach_struct_ops()')}`);
      else {
        const maps = view.model.maps.filter((m) => objects.has(m.object));
        lines.push(...(maps.length ? maps.map((m) => mapLine(m)) : ['- no struct_ops map in the objects this loader drives']));
      }
    }
    lines.push('');
  }
  const first = calls[0] as AttachAction;
  return { contents: { kind: 'markdown', value: lines.join('\n').trimEnd() }, range: first.location.range };
}
