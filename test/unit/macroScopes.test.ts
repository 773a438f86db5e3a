// Which definition a translation unit expands a macro with when headers define it differently:
// the one its own includes compile (in include order, `#if`s evaluated for its side), never one
// from a header it does not include. Real units (TranslationUnits, readUnit) over in-memory files.
import { strict as assert } from 'node:assert';
import { collectDefines, type MacroDef } from '../../server/src/analysis/c/macros';
import { scanDirectives, type Directive } from '../../server/src/analysis/c/directives';
import { MacroScopes } from '../../server/src/analysis/macroScopes';
import { TranslationUnits } from '../../server/src/analysis/units';

const FILES: Record<string, string> = {
  '/w/include/scx/compat.h': `#ifndef COMPAT_H
#define COMPAT_H
#define ENUM_OR_ZERO(t, e) ({ u64 __val = 0; read_enum(t, e, &__val); __val; })
#if LIBBPF_MAJOR_VERSION < 1 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION < 5)
#define DISABLE_AUTOATTACH(skel, ops) do {} while (0)
#else
#define DISABLE_AUTOATTACH(skel, ops) bpf_map__set_autoattach((skel)->maps.ops, false)
#endif
#endif
`,
  '/w/include/scx/compat.bpf.h': `#define ENUM_OR_ZERO(t, e) ({ t __ret = 0; if (bpf_core_enum_value_exists(t, e)) __ret = e; __ret; })
#ifdef SOME_UNKNOWN_FLAG
#define SLICE 1
#else
#define SLICE 2
#endif
#define LATE 1
`,
  '/w/include/scx/common.bpf.h': `#include "compat.bpf.h"
#define SLICE 3
#if SOME_UNKNOWN_FLAG
#define LATE 2
#endif
`,
  '/w/include/other.h': `#define SLICE 4
#define LATE 3
`,
  '/w/sched.c': `#include <bpf/libbpf.h>
#include <scx/compat.h>
#include "sched.skel.h"
int main(void) { return 0; }
`,
  '/w/sched.bpf.c': `#include <sys/cdefs.h>
#include <scx/common.bpf.h>
char _license[] SEC("license") = "GPL";
`,
  '/w/plain.bpf.c': `#include "other.h"
`,
};

const directives = new Map<string, Directive[]>(Object.entries(FILES).map(([p, t]) => [p, scanDirectives(t, p)]));
const defines = new Map<string, MacroDef[]>(Object.entries(FILES).map(([p, t]) => [p, collectDefines(t, p)]));

let units: TranslationUnits;

function setup(): { units: TranslationUnits; scopes: MacroScopes } {
  units = new TranslationUnits({
    has: (p) => p in FILES,
    paths: () => Object.keys(FILES),
    directives: (p) => directives.get(p),
    buildText: () => undefined,
    pathsVersion: () => 1,
  });
  // The workspace's headers, in the order a walk may meet them: the BPF side's first.
  const headers = ['/w/include/scx/compat.bpf.h', '/w/include/scx/common.bpf.h', '/w/include/other.h', '/w/include/scx/compat.h'];
  return { units, scopes: new MacroScopes(headers.flatMap((h) => defines.get(h) ?? [])) };
}

const files = { defines: (p: string) => defines.get(p), directives: (p: string) => directives.get(p), resolve: (from: string, name: string, angled: boolean) => units.resolve(from, name, angled) };

function chosen(scopes: MacroScopes, overrides: MacroDef[], name: string): string {
  const d = scopes.tableFor({ kind: 'bpf', defines: [] }, overrides).get(name);
  return d ? `${d.location?.file.replace('/w/', '')}:${(d.location?.range.start.line ?? -1) + 1}` : 'none';
}

describe('macro scopes', () => {
  it("a loader expands with the user-side header it includes, not the BPF side's same-named macro", () => {
    const { units, scopes } = setup();
    const loader = scopes.overrides(units.hostUnit('/w/sched.c'), files);
    assert.equal(chosen(scopes, loader, 'ENUM_OR_ZERO'), 'include/scx/compat.h:3');
    // The workspace-wide table alone (first definition wins) took the BPF side's.
    assert.equal(chosen(scopes, [], 'ENUM_OR_ZERO'), 'include/scx/compat.bpf.h:1');
  });

  it('a loader evaluates libbpf version checks as libbpf 1.7 (HOST_COMMAND_LINE)', () => {
    const { units, scopes } = setup();
    const loader = scopes.overrides(units.hostUnit('/w/sched.c'), files);
    assert.equal(chosen(scopes, loader, 'DISABLE_AUTOATTACH'), 'include/scx/compat.h:7');
  });

  it('a BPF unit: later certain definitions win, an unknown branch only where nothing else defines it', () => {
    const { units, scopes } = setup();
    const bpf = scopes.overrides(units.unit('/w/sched.bpf.c'), files);
    assert.equal(chosen(scopes, bpf, 'ENUM_OR_ZERO'), 'include/scx/compat.bpf.h:1');
    // compat.bpf.h's SLICE is under an #ifdef of a name <sys/cdefs.h> (not in the workspace) may
    // define: both branches maybe. common.bpf.h's, after it, is certain.
    assert.equal(chosen(scopes, bpf, 'SLICE'), 'include/scx/common.bpf.h:2');
    // LATE: certain in compat.bpf.h, then maybe in common.bpf.h: the certain one stays.
    assert.equal(chosen(scopes, bpf, 'LATE'), 'include/scx/compat.bpf.h:7');
  });

  it("a header the unit does not include never overrides the unit's own includes", () => {
    const { units, scopes } = setup();
    const plain = scopes.overrides(units.unit('/w/plain.bpf.c'), files);
    assert.equal(chosen(scopes, plain, 'SLICE'), 'include/other.h:1');
    assert.equal(chosen(scopes, plain, 'LATE'), 'include/other.h:2');
    // Names its includes do not define keep the workspace's definition.
    assert.equal(chosen(scopes, plain, 'ENUM_OR_ZERO'), 'include/scx/compat.bpf.h:1');
  });
});
