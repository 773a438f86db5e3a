// The editor's choices before a VM run, without VS Code: the target quick pick (built-in and
// configured targets from the setting, parsed by the API), the object from a command argument or
// a pick, the progress text, the test hold; and the manifest that offers the command.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';
import { RUN_ON_VM_COMMAND } from '../../server/src/features/codeLens';
import { parseTargets } from '../../remote/src/targets';
import { associationOutline } from '../../client/src/associationOutline';
import { holdFromEnv } from '../../client/src/vmRun/debugHold';
import { notRunnableReason, objectIdFromArgument, objectItems } from '../../client/src/vmRun/objectChoice';
import { RunProgress, stepText } from '../../client/src/vmRun/runProgress';
import { choicesByName, describeTarget, splitChoices, targetPickEntries, type TargetItem } from '../../client/src/vmRun/targetChoice';
import { REPO } from './builtFixtures';

const BUILTIN = [{ name: 'local', description: "Debian's kernel 6.12.117+deb12-amd64 in qemu", ready: true }];
const SETTING = [
  { name: '7.0 (vng)', host: 'root@virtme-ng%22', sshConfig: '/home/me/.cache/virtme-ng/.ssh/virtme-ng-ssh.conf', allowAttach: true },
  { name: 'cloud', host: 'me@203.0.113.9', port: 2222, sudo: true, agentBuild: 'local-static', runTimeout: 300 },
  { name: 'broken', host: '-oProxyCommand=evil' },
];

function targetItems(entries: ReturnType<typeof targetPickEntries>): TargetItem[] {
  return entries.filter((e): e is TargetItem => e.kind === 'target');
}

describe('VM run in the editor: choosing targets', () => {
  const { targets, problems } = parseTargets(SETTING);

  it('lists the built-in target, then the configured ones, and drops bad entries with a problem', () => {
    assert.deepEqual(problems.map((p) => p.index), [2]);
    const entries = targetPickEntries(BUILTIN, targets, []);
    assert.deepEqual(entries.map((e) => (e.kind === 'separator' ? `-- ${e.label}` : `${e.label}${e.picked ? ' [x]' : ''}`)), [
      '-- built-in (qemu on this machine)',
      'local [x]',
      '-- bpfAssoc.vm.targets',
      '7.0 (vng)',
      'cloud',
    ]);
    const cloud = describeTarget(targets[1] as (typeof targets)[number]);
    assert.equal(cloud.description, 'ssh me@203.0.113.9:2222');
    assert.equal(cloud.detail, 'sudo -n · agent built here (static) · does not attach · connect 15 s, run 300 s');
    assert.match(describeTarget(targets[0] as (typeof targets)[number]).detail, /attaches struct_ops maps .* ssh -F \/home\/me\/\.cache\/virtme-ng/);
  });

  it('picks what was used last time, and the built-in target when that is gone', () => {
    assert.deepEqual(targetItems(targetPickEntries(BUILTIN, targets, ['cloud', '7.0 (vng)'])).filter((i) => i.picked).map((i) => i.label), ['7.0 (vng)', 'cloud']);
    assert.deepEqual(targetItems(targetPickEntries(BUILTIN, targets, ['removed'])).filter((i) => i.picked).map((i) => i.label), ['local']);
    assert.deepEqual(targetItems(targetPickEntries([], targets, [])).filter((i) => i.picked).map((i) => i.label), ['7.0 (vng)']);
    assert.deepEqual(targetPickEntries([], [], []), []);
  });

  it('lets a configured target named like a built-in one replace it, so columns stay unique', () => {
    const own = parseTargets([{ name: 'local', host: 'myvm' }]).targets;
    const items = targetItems(targetPickEntries(BUILTIN, own, ['local']));
    assert.deepEqual(items.map((i) => [i.label, i.choice.kind, i.picked]), [['local', 'configured', true]]);
  });

  it('tells a built-in target that is not set up', () => {
    const [item] = targetItems(targetPickEntries([{ ...BUILTIN[0], ready: false } as (typeof BUILTIN)[number]], [], []));
    assert.match(item?.detail ?? '', /not set up yet/);
  });

  it('splits the picks into the API lists, and resolves names as the CLI does', () => {
    const picked = targetItems(targetPickEntries(BUILTIN, targets, ['local', 'cloud'])).filter((i) => i.picked).map((i) => i.choice);
    const split = splitChoices(picked);
    assert.deepEqual(split.builtin, ['local']);
    assert.deepEqual(split.targets.map((t) => t.name), ['cloud']);
    const byName = choicesByName(['cloud', 'local', 'nope'], BUILTIN, targets);
    assert.deepEqual(byName.choices.map((c) => c.kind), ['configured', 'builtin']);
    assert.deepEqual(byName.unknown, ['nope']);
  });
});

describe('VM run in the editor: choosing the object', () => {
  let model: WorkspaceModel;
  const fixture = join(REPO, 'test/vm/fixtures/ca-struct-ops');
  before(async () => {
    await loadGrammar();
    const ws = new Workspace();
    for (const f of ['ca_struct_ops.bpf.c', 'loader.c']) ws.setFile(join(fixture, f), readFileSync(join(fixture, f)));
    ws.setFile(join(REPO, 'test/vm/fixtures/include/tcp_ca.h'), readFileSync(join(REPO, 'test/vm/fixtures/include/tcp_ca.h')));
    model = ws.model();
  });

  it('takes the object from the code lens (an id) or the tree view (its object or map node)', () => {
    assert.equal(objectIdFromArgument('ca_struct_ops'), 'ca_struct_ops');
    const [object] = associationOutline(model);
    assert.equal(objectIdFromArgument(object), 'ca_struct_ops');
    const map = object?.children.find((c) => c.kind === 'map');
    assert.equal(objectIdFromArgument(map), 'ca_struct_ops');
    for (const junk of [undefined, null, '', 42, {}, { id: 7 }, { id: 'group:x' }, [object]]) assert.equal(objectIdFromArgument(junk), undefined, JSON.stringify(junk));
  });

  it('says to build the object first when there is nothing to ship, and lists only runnable objects', () => {
    assert.match(notRunnableReason(model, 'ca_struct_ops') ?? '', /no compiled form in the workspace: build ca_struct_ops\.bpf\.o/);
    assert.match(notRunnableReason(model, 'gone') ?? '', /no BPF object "gone"/);
    assert.deepEqual(objectItems(model), []);
    const built: WorkspaceModel = {
      ...model,
      objects: [
        { ...(model.objects[0] as WorkspaceModel['objects'][number]), id: 'other', sources: ['/x/other.bpf.c'], loaders: [], objectFiles: ['/x/other.bpf.o'] },
        ...model.objects.map((o) => ({ ...o, skeletons: ['/b/ca_struct_ops.skel.h'] })),
      ],
    };
    assert.equal(notRunnableReason(built, 'ca_struct_ops'), null);
    const items = objectItems(built, join(fixture, 'loader.c'));
    assert.deepEqual(items.map((i) => i.objectId), ['ca_struct_ops', 'other'], 'the object of the active file first');
    assert.equal(items[0]?.description, '1 struct_ops map · 4 programs · 2 association calls');
    assert.equal(items[0]?.detail, 'ships ca_struct_ops.skel.h · replays loader.c');
    assert.equal(items[1]?.detail, 'ships other.bpf.o · no loader (assumed lifecycle)');
  });
});

describe('VM run in the editor: progress and the test hold', () => {
  it('shows every target\'s latest step and reports increasing progress', () => {
    const p = new RunProgress(['local', '7.0 (vng)']);
    assert.deepEqual(p.update('local', 'booting'), { message: 'local: booting  ·  7.0 (vng): waiting', increment: 0 });
    const a = p.update('7.0 (vng)', 'connecting');
    assert.equal(a.message, 'local: booting  ·  7.0 (vng): connecting');
    assert.equal(a.increment, 20);
    const b = p.update('7.0 (vng)', 'stage: loaded');
    assert.equal(b.message, 'local: booting  ·  7.0 (vng): running · loaded');
    assert.ok(b.increment > 0);
    assert.equal(p.update('7.0 (vng)', 'connecting').increment, 0, 'never backwards');
    assert.equal(new RunProgress(['local']).update('local', 'stage: holding attach').message, 'running · holding attach');
    assert.equal(stepText('uploading'), 'uploading');
  });

  it('holds only runs that include the named target', () => {
    assert.deepEqual(holdFromEnv('e2e-vm:attach', ['local', 'e2e-vm']), { stage: 'attach', seconds: 120 });
    assert.deepEqual(holdFromEnv('a:b:load:30', ['a:b']), { stage: 'load', seconds: 30 });
    assert.equal(holdFromEnv('e2e-vm:attach', ['local']), undefined);
    assert.equal(holdFromEnv('e2e-vm:sleep', ['e2e-vm']), undefined);
    assert.equal(holdFromEnv(undefined, ['local']), undefined);
  });
});

describe('VM run in the editor: the manifest', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const contributes = pkg.contributes;

  it('offers the command in the palette, on the tree view\'s objects and only in trusted workspaces', () => {
    const run = contributes.commands.find((c: { command: string }) => c.command === RUN_ON_VM_COMMAND);
    assert.equal(run?.enablement, 'isWorkspaceTrusted');
    assert.equal(`${run?.category}: ${run?.title}`, 'bpf-assoc: Run Association on Test VM');
    const onObjects = contributes.menus['view/item/context'].filter((m: { command: string; when: string }) => m.command === RUN_ON_VM_COMMAND && /viewItem == object/.test(m.when));
    assert.deepEqual(onObjects.map((m: { group: string }) => m.group).sort(), ['inline', 'vm@1']);
    for (const c of ['bpfAssoc.showLastVmReport', 'bpfAssoc.showVmTranscript']) assert.ok(contributes.commands.some((x: { command: string }) => x.command === c), c);
  });

  it('describes every field of bpfAssoc.vm.targets (the schema parseTargets validates with: remote-targets.test.ts)', () => {
    const items = contributes.configuration.properties['bpfAssoc.vm.targets'].items;
    assert.deepEqual(items.required, ['name', 'host']);
    assert.equal(items.additionalProperties, false);
    for (const [name, p] of Object.entries<{ description?: string }>(items.properties)) assert.ok(p.description, `${name} has a description`);
    assert.equal(contributes.configuration.properties['bpfAssoc.vm.localKernel'].type, 'string');
  });

  it('ships what a run needs beside dist/ (agent sources, the VM setup, the page style)', () => {
    const allow = readFileSync(join(REPO, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!'));
    for (const want of ['!dist/vm.js', '!remote/agent/*.c', '!remote/agent/*.h', '!remote/vm/*.sh', '!remote/vm/guest/*', '!media/vmReport.css']) assert.ok(allow.includes(want), want);
  });
});
