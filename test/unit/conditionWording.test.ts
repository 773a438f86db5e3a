// A build condition met twice on one path is said once: NetworkManager's nm-l3cfg.c opens its
// skeleton in _l3_commit_pref64() and destroys it in the helper _l3_clat_destroy(), both inside one
// `#if HAVE_CLAT`, and read "`HAVE_CLAT` and `HAVE_CLAT` (a build condition ...)". Same shape here,
// with the fixture poisoned-shared's BPF source.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { sourcePath } from './builtFixtures';
import { listCaseFiles } from './expectations';

const W = '/w/condition-wording';

const LOADER = `#include <bpf/libbpf.h>
#include "shared.skel.h"

#if HAVE_X
static struct shared *g;

static void teardown(void)
{
	shared__destroy(g);
	g = NULL;
}

static void commit_x(int on)
{
	if (!on) {
		teardown();
		return;
	}
	g = shared__open_and_load();
	if (g)
		shared__attach(g);
}
#endif

void commit(int on)
{
#if HAVE_X
	commit_x(on);
#endif
}
`;

describe('path conditions in words', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a build condition that both a lifecycle and its helper are under is said once', () => {
    const ws = new Workspace();
    ws.setFile(`${W}/shared.bpf.c`, readFileSync(sourcePath('poisoned-shared', 'shared.bpf.c')));
    ws.setFile(`${W}/loader.c`, Buffer.from(LOADER));
    for (const f of listCaseFiles(join(__dirname, '..', 'fixtures', 'include'))) ws.setFile(f, readFileSync(f));
    const whens = ws.model().programs.map((p) => p.decidedBy?.when ?? '');
    assert.ok(whens.length > 0);
    for (const w of whens) assert.doesNotMatch(w, /HAVE_X\b.*\bHAVE_X\b/, w);
  });
});
