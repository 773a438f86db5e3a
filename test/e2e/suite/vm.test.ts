// "Run Association on Test VM" in a real VS Code, on the copy of examples/: from the code lens
// on examples/tcp's struct_ops map to the built-in VM local-6.12 (Debian's stock 6.12 in qemu, prepared by
// remote/vm/setup.sh, which test/e2e/setup.sh runs), and a run on a configured target that is
// cancelled from the progress notification while the agent holds the congestion control
// registered; bpftool on that VM then shows nothing left.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalVm } from '../../../remote/src/localVm';
import { guest, image, loaded } from '../../vm/vm';
import type { BrowserDriver } from '../browser/browserDriver';
import * as ux from '../browser/uxSteps';
import { driver, waitFor } from '../driver';
import { ARTIFACTS, find } from '../workspace';

/** The configured target of the Cancel test, and the stage its runs wait at until cancelled. */
const CANCEL_TARGET = 'e2e-vm';
// Read by the extension host (code-server starts after the spec files are loaded), see
// client/src/vmRun/debugHold.ts: only runs that include CANCEL_TARGET hold.
process.env.BPF_ASSOC_VM_HOLD ??= `${CANCEL_TARGET}:attach:180`;

const TCP = 'tcp/cc_reno.bpf.c';

function workspace(): string {
  const dir = process.env.BPF_ASSOC_E2E_WORKSPACE;
  if (!dir) throw new Error('BPF_ASSOC_E2E_WORKSPACE is not set by the runner');
  return dir;
}

function row(report: Awaited<ReturnType<ReturnType<typeof driver>['vmReport']>>, key: string) {
  const r = report.rows.find((x) => x.key === key);
  assert.ok(r, `the view has a row ${key}: ${report.rows.map((x) => x.key).join(', ')}`);
  return r;
}

describe('bpf-assoc: Run Association on Test VM in a real VS Code', () => {
  let vm: LocalVm | undefined;
  before(async function () {
    this.timeout(300_000);
    // When this file runs alone: the editor is up and the model is in (the status bar counts).
    await waitFor('the status bar to count programs', async () => (/\d+ programs? ·/.test(await driver().statusBarText()) ? true : undefined), 240_000);
  });
  after(async () => {
    await vm?.stop();
  });

  it('offers the run in the palette and as a code lens beside the map\'s own', async () => {
    const titles = await driver().paletteCommands('bpf-assoc');
    for (const t of ['bpf-assoc: Run Association on Test VM', 'bpf-assoc: Show Last VM Report', 'bpf-assoc: Show VM Transcript']) assert.ok(titles.includes(t), `palette has ${t}: ${titles.join(', ')}`);
    const lenses = await driver().codeLenses(TCP, find(workspace(), TCP, /(bpf_reno) = \{/).line);
    assert.ok(lenses.includes('Run on test VM'), lenses.join('\n'));
    assert.ok(lenses.some((l) => /^\d+ programs$/.test(l)), `the map's own lens is unchanged: ${lenses.join('\n')}`);
  });

  it('runs examples/tcp on the built-in VM from the code lens: "kernel lacks the command" next to the prediction', async function () {
    this.timeout(360_000);
    const mapLine = find(workspace(), TCP, /(bpf_reno) = \{/).line;
    const { clickedAt: started } = await driver().runOnVm({ codeLens: { file: TCP, line: mapLine } }, ['local-6.12']);
    await driver().waitForVmProgress(/booting|connecting|running/, 30_000);
    const report = await driver().vmReport((r) => r.columns.some((c) => c.startsWith('local-6.12')), 300_000);
    const commandToResultsMs = Date.now() - started;

    assert.match(report.columns[0] ?? '', /^local-6\.12 6\.12\./, 'one column, headed by the target and its kernel');
    assert.match(report.targets[0] ?? '', /completed/);
    assert.match(report.targets[0] ?? '', /kernel lacks the command/);
    assert.deepEqual([row(report, 'object').predicted, row(report, 'object').observed[0]], ['loads', '= loaded (as predicted)']);
    const init = row(report, 'program:reno_init');
    assert.equal(init.predicted, 'auto(bpf_reno)');
    assert.match(init.observed[0] ?? '', /loaded \(id \d+\).*kernel lacks the command/);
    assert.match(row(report, 'attach:bpf_reno').observed[0] ?? '', /attached/);

    // The optional program is not loaded, as predicted: that is in the view, not in Problems
    // (Problems is for problems).
    assert.match(row(report, 'program:reno_ssthresh_aggressive').observed[0] ?? '', /not loaded.*as predicted/);
    const problems = await driver().waitForProblem('as-predicted', false, 'reno_ssthresh_aggressive');
    assert.ok(!problems.some((p) => p.source === 'bpf-assoc VM' && /as predicted/.test(p.message)), JSON.stringify(problems));

    const timings = /boot [\d.]+ s · connect [\d.]+ s · upload [\d.]+ s · build [\d.]+ s · run [\d.]+ s · total [\d.]+ s/.exec(report.targets[0] ?? '')?.[0] ?? null;
    mkdirSync(ARTIFACTS, { recursive: true });
    const runToResults = /in ([\d.]+) s\.$/.exec(report.plan)?.[1];
    // From the click on the lens (the quick pick ticked and confirmed by the test) to the view.
    const measured = { lensToResultsViewMs: commandToResultsMs, runToResultsMs: runToResults ? Math.round(Number(runToResults) * 1000) : null, target: timings };
    writeFileSync(join(ARTIFACTS, `measurements-vm-${driver().name.replace(/\W+/g, '-')}.json`), JSON.stringify(measured, null, 2));
    console.log(`      ${JSON.stringify(measured)}`);
  });

  it('fits or scrolls the results view in a narrow split', async function () {
    const d = driver();
    if (!('page' in d)) this.skip();
    const page = (d as BrowserDriver).page;
    await page.setViewportSize({ width: 1000, height: 900 });
    try {
      const frame = await ux.webviewFrame(page, '#vm-report');
      const fit = await waitFor('the table laid out for the narrow panel', async () => {
        const f = await ux.tableFit(frame);
        return f.clientWidth > 0 && f.clientWidth < 600 ? f : undefined;
      });
      await d.screenshot('vm-results-narrow-split');
      assert.deepEqual(fit.unreachable, [], 'every column can be scrolled to');
      assert.deepEqual(fit.overflowing, [], 'no cell cut off');
    } finally {
      await page.setViewportSize({ width: 1600, height: 1000 });
    }
  });

  it('reveals a row of the results view in the editor, and shows the run\'s transcript', async () => {
    const landed = await driver().clickVmReportRow('reno_ssthresh');
    assert.deepEqual(landed, { file: 'cc_reno.bpf.c', line: find(workspace(), TCP, /BPF_PROG\((reno_ssthresh),/).line });
    const transcript = await driver().vmTranscript();
    assert.match(transcript, /^\[local-6\.12\] |^command to results: \d+ ms/m);
  });

  it('cancels a run from the notification while the agent holds; nothing is left on the VM', async function () {
    this.timeout(420_000);
    vm = await LocalVm.start(image('local'));
    const before = await loaded(vm);
    // The target, as a user configures it: the VM's own ssh config, the static agent, attaching on.
    mkdirSync(join(workspace(), '.vscode'), { recursive: true });
    const target = { name: CANCEL_TARGET, host: 'bpf-assoc-local', sshConfig: vm.sshConfig, agentBuild: 'local-static', allowAttach: true, connectTimeout: 30, runTimeout: 300 };
    writeFileSync(join(workspace(), '.vscode', 'settings.json'), JSON.stringify({ 'bpfAssoc.vm.targets': [target] }, null, 2));

    // A cancelled run opens no results view: start from none.
    await driver().closeAllEditors();
    await driver().runOnVm({ treeObject: 'cc_reno' }, [CANCEL_TARGET]);
    await driver().waitForVmProgress(/holding attach/, 180_000);
    const during = await loaded(vm);
    assert.ok(during.congestion.includes('bpf_reno'), `bpf_reno registered while the agent holds: ${during.congestion.join(' ')}`);
    assert.ok(during.progs.length > before.progs.length, 'its programs are loaded');

    await driver().cancelVmRun();
    // A cancel just stops: the transcript says how the target was cleaned up; no results view,
    // no message.
    const d = driver();
    if (d.vmTranscriptFromCommand && d.notifications) {
      const transcript = await d.vmTranscriptFromCommand(/cancelled after \d+ ms/);
      assert.match(transcript, new RegExp(`^\\[${CANCEL_TARGET}\\] cancelled: .*the agent detached and freed everything`, 'm'));
      await d.screenshot('vm-cancelled-run-no-results-view');
      assert.deepEqual((await d.notifications()).filter((t) => /bpf-assoc/.test(t)), [], 'no toast after a cancelled run');
    } else {
      // test-electron: the run has ended when the runner is idle again.
      await waitFor('the cancelled run to end', async () => ((await d.vmReportOpen()) ? undefined : true), 60_000);
    }
    assert.equal(await d.vmReportOpen(), false, 'no results view after a cancelled run');

    assert.deepEqual(await loaded(vm), before, 'no program, map or link left, bpf_reno unregistered');
    assert.equal((await guest(vm, 'pidof bpf-assoc-agent || true')).trim(), '', 'no agent process left');
    assert.equal((await guest(vm, 'ls -d ~/.cache/bpf-assoc/run-* 2>/dev/null || true')).trim(), '', 'no run directory left');
    // Here: the run's ssh sessions and its master connection ended.
    const sshConfig = vm.sshConfig;
    await waitFor('the run\'s ssh processes to end', () => {
      const ssh = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('ssh ') && l.includes(sshConfig));
      return ssh.length === 0 ? true : undefined;
    }, 30_000);
  });
});
