// The kernel's own struct_ops association selftests on the built-in target "local" (Debian's Linux
// 7.3 with the selftests' bpf_testmod.ko): the upstream prog_tests/test_struct_ops_assoc.c (two maps
// with their own programs, a program shared by two maps reading NULL, a timer callback reading its
// map and reading NULL once the map is freed) and bpf-assoc's checks of every explicit-association
// errno, which check wins, and an association keeping its map alive (test/vm/selftests/runner.c).
// These are the checks the retired test kernel's self-test (kernel/test) made on the backport.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocal } from '../../remote/src/transport';
import { guest, REPO, sharedVm } from './vm';

describe('VM: the kernel selftests for struct_ops associations on Linux 7.3 with bpf_testmod', () => {
  it('test_struct_ops_assoc and the errno checks pass on the real kernel', async () => {
    const started = Date.now();
    const binary = execFileSync('bash', [join(REPO, 'test/vm/selftests/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const built = Date.now();
    const vm = await sharedVm();
    assert.ok(vm.modules.includes('bpf_testmod'), `bpf_testmod loaded at boot (modules: ${vm.modules.join(', ')}); run npm run vm:setup`);
    assert.match(await guest(vm, 'ls /sys/kernel/btf'), /^bpf_testmod$/m, 'the module has BTF');
    const upload = await runLocal('ssh', ['-F', vm.sshConfig, '-o', 'BatchMode=yes', 'bpf-assoc-local', 'cat >/tmp/assoc-selftests && chmod +x /tmp/assoc-selftests'], {
      timeoutMs: 60_000,
      stdin: new Uint8Array(readFileSync(binary)),
    });
    assert.equal(upload.code, 0, upload.stderr);
    const r = await runLocal('ssh', ['-F', vm.sshConfig, '-o', 'BatchMode=yes', 'bpf-assoc-local', '/tmp/assoc-selftests; echo "exit=$?"; rm -f /tmp/assoc-selftests'], { timeoutMs: 120_000 });
    const out = r.stdout;
    const failed = out.split('\n').filter((l) => l.startsWith('not ok'));
    assert.deepEqual(failed, [], out);
    assert.match(out, /^BPF-ASSOC-SELFTESTS failures=0$/m, out);
    assert.match(out, /^exit=0$/m);
    for (const sub of ['st_ops_assoc', 'st_ops_assoc_reuse', 'st_ops_assoc_in_timer', 'st_ops_assoc_in_timer_no_uref', 'bpf_assoc_errno_order', 'bpf_assoc_keeps_map_alive', 'bpf_assoc_iterator_vs_kfunc']) {
      assert.match(out, new RegExp(`^# subtest ${sub}$`, 'm'));
    }
    const checks = out.split('\n').filter((l) => l.startsWith('ok - ')).length;
    assert.ok(checks >= 40, `${checks} checks passed`);
    process.stdout.write(`      ${checks} checks passed; build ${built - started} ms, boot ${vm.bootMs} ms (${vm.accel}), run ${Date.now() - built} ms\n`);
  });
});
