// The seed's motivating case on Debian's Linux 7.3: `bpf-assoc run` on test/vm/fixtures/scx-sub,
// whose own loader attaches a cid-form root scheduler that implements ops.sub_attach, attaches a
// sub-scheduler under it in a cgroup, and runs two of the sub-scheduler's syscall programs that
// call scx_bpf_dsq_nr_queued(): one associated with the sub-scheduler's map, one not. The kernel
// says where it put the schedulers (sysfs, read by the loader; its log, read here) and what the
// kfunc answered each program; every row must be as the analysis predicted.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalVm } from '../../remote/src/localVm';
import { formatTable } from '../../remote/src/results';
import { runLocal } from '../../remote/src/transport';
import { fixtureModel, guest, loadedOnceSettled, REPO, settledBaseline, sharedVm } from './vm';

const ENODEV = 19;
const ENOENT = 2;

describe('VM: a sched_ext sub-scheduler (the seed case) on Linux 7.3', () => {
  let vm: LocalVm;
  before(async () => {
    vm = await sharedVm();
  });

  it("scx-sub: associated with the sub-scheduler's map it finds its DSQ, with the root's map the root's (ENOENT), unassociated nothing (ENODEV), as predicted", async () => {
    const cli = join(REPO, 'dist/cli.js');
    if (!existsSync(cli)) assert.fail('dist/cli.js is missing: run npm run build first');
    const { model } = await fixtureModel('scx-sub'); // builds the fixtures
    const bare = model.findings.find((f) => f.rule === 'unassociated-kfunc-caller' && f.message.includes('`bpfa_sub_bare`'));
    assert.equal(bare?.severity, 'warning', 'the analysis warns about the unassociated caller');
    assert.match(bare.message, /scx_prog_sched\(\) returns NULL because `bpfa_sub_ops` is a sub-scheduler/);

    const before = await settledBaseline(vm);
    // A mark in the kernel log: what the run logs comes after it.
    const mark = `bpf-assoc scx-sub test ${process.pid}-${Date.now()}`;
    await guest(vm, `echo '${mark}' >/dev/kmsg`);
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-scx-sub-'));
    try {
      // The CLI, on the shared VM (a targets file naming its ssh config), so that its kernel log
      // can be read afterwards.
      const targets = join(dir, 'targets.json');
      writeFileSync(targets, JSON.stringify([vm.target({ name: 'local73' })]));
      const ws = ['test/vm/fixtures/scx-sub', 'test/vm/fixtures/include', '.build/test/vm/fixtures/scx-sub'].map((p) => join(REPO, p));
      const r = await runLocal(process.execPath, [cli, 'run', '--targets-file', targets, '--target', 'local73', '--object', 'scx_sub_child', ...ws], { timeoutMs: 280_000 });
      const out = JSON.parse(r.stdout || '{}');
      const t = out.targets?.[0];
      assert.equal(t?.status, 'completed', `${t?.message}\n${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      const table = formatTable(out.plan, out.targets);
      process.stdout.write(`${table.replace(/^/gm, '      ')}\n`);

      const rep = t.report;
      assert.match(rep.kernel.release, /^7\.3\.\d+\+deb13-amd64$/);
      assert.equal(rep.kernel.assocCommand, 'supported');
      assert.ok(rep.loader?.executed, 'the loader was executed');
      assert.match(rep.loader.libbpf, /^1\.7\.\d+$/);
      assert.equal(rep.loader.exitStatus, 0, rep.loader.output);
      assert.ok(rep.loader.file.endsWith('test/vm/fixtures/scx-sub/loader.c'));
      const rows = out.rows as { key: string; kind: string; observed: Record<string, { value: string; verdict: string }> }[];
      assert.deepEqual(rows.filter((x) => x.observed.local73?.verdict !== 'match').map((x) => x.key), [], 'every row as predicted');
      const observed = (key: string) => rows.find((x) => x.key === key)?.observed.local73?.value;
      assert.equal(observed('program:bpfa_sub_assoc'), 'associated(bpfa_sub_ops)');
      assert.equal(observed('program:bpfa_sub_bare'), 'none');
      assert.equal(observed('program:bpfa_sub_root'), 'associated(bpfa_root_ops)', "a program of the sub-scheduler associated with the root's map");
      assert.deepEqual(rows.filter((x) => x.kind === 'call').map((x) => x.observed.local73?.value), ['0', '0']);
      assert.deepEqual(rep.attachments.map((a: { map: string; ok: boolean }) => [a.map, a.ok]), [['bpfa_sub_ops', true]]);

      // Where the kernel put the schedulers, read by the loader from /sys/kernel/sched_ext while
      // both were attached: bpfa_root at the root, bpfa_sub under it, in the cgroup it made.
      const output: string = rep.loader.output;
      assert.match(output, /^\/sys\/kernel\/sched_ext\/root\/ops: bpfa_root$/m);
      assert.match(output, /^\/sys\/kernel\/sched_ext\/root\/sub\/sub-\d+\/ops: bpfa_sub$/m);
      // What the kfunc answered: the sub-scheduler's (empty) DSQ through the association; the
      // root's scheduler, which has no DSQ 7, through the root's map (-ENOENT); without an
      // association, scx_prog_sched() is NULL under a root with ops.sub_attach (-ENODEV).
      assert.match(output, /^bpfa_sub_assoc: scx_bpf_dsq_nr_queued\(\) = 0$/m);
      assert.match(output, new RegExp(`^bpfa_sub_root: scx_bpf_dsq_nr_queued\\(\\) = -${ENOENT}$`, 'm'));
      assert.match(output, new RegExp(`^bpfa_sub_bare: scx_bpf_dsq_nr_queued\\(\\) = -${ENODEV}$`, 'm'));

      // The kernel's own account, from its log on the guest.
      const all = await guest(vm, 'dmesg');
      assert.ok(all.includes(mark), 'the mark is in the kernel log');
      const log = all.slice(all.lastIndexOf(mark));
      assert.match(log, /sched_ext: BPF scheduler "bpfa_root" enabled/);
      assert.match(log, /sched_ext: BPF sub-scheduler "bpfa_sub" enabled/);
      assert.match(log, /sched_ext: Unassociated program bpfa_sub_bare \(id \d+\)/);
      assert.doesNotMatch(log, /Unassociated program bpfa_sub_assoc/);
      const seen = [...output.trim().split('\n'), ...log.split('\n').filter((l) => /sched_ext: (BPF (sub-)?scheduler "bpfa_|Unassociated)/.test(l))];
      process.stdout.write(`${seen.map((l) => `      ${l.trim()}`).join('\n')}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await loadedOnceSettled(vm, before), before, 'nothing left loaded');
    assert.equal((await guest(vm, 'cat /sys/kernel/sched_ext/state; ls /sys/fs/cgroup | grep -c bpfa_sub || true')).trim(), 'disabled\n0');
  });
});
