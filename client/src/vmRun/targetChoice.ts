// Which targets a VM run goes to: the quick pick's items (the built-in qemu targets, then the
// configured ones from bpfAssoc.vm.targets), what was picked last time, and the split into the
// API's `builtin` names and configured `targets`. Pure (no vscode), so it is unit-tested.
import type { VmTarget } from '../../../remote/src/targets';

export interface BuiltinTarget {
  name: string;
  /** "Debian's kernel 7.3.4+deb13-amd64 in qemu with bpf_testmod.ko", from the API's image description. */
  description: string;
  /** The kernel image and initramfs exist (npm run vm:setup ran). */
  ready: boolean;
}

export type TargetChoice = { kind: 'builtin'; name: string } | { kind: 'configured'; target: VmTarget };

export interface TargetItem {
  kind: 'target';
  label: string;
  description: string;
  detail: string;
  picked: boolean;
  choice: TargetChoice;
}

export interface TargetSeparator {
  kind: 'separator';
  label: string;
}

export type TargetPickEntry = TargetItem | TargetSeparator;

function seconds(n: number): string {
  return `${n} s`;
}

/** What a configured target does, in one line each for the quick pick. */
export function describeTarget(t: VmTarget): { description: string; detail: string } {
  const where = `${t.host}${t.port !== undefined ? `:${t.port}` : ''}`;
  const facts = [
    t.sudo ? 'sudo -n' : 'as the ssh user',
    t.agentBuild === 'local-static' ? 'agent built here (static)' : 'agent built there',
    t.allowAttach ? 'attaches struct_ops maps' : 'does not attach',
    `connect ${seconds(t.connectTimeout)}, run ${seconds(t.runTimeout)}`,
  ];
  if (t.sshConfig) facts.push(`ssh -F ${t.sshConfig}`);
  return { description: `ssh ${where}`, detail: facts.join(' · ') };
}

/**
 * The quick pick's entries. A configured target named like a built-in one replaces it (as in the
 * CLI), so result columns stay unique. `lastUsed` names are picked; when none of them exists any
 * more, the first built-in target is.
 */
export function targetPickEntries(builtin: BuiltinTarget[], configured: VmTarget[], lastUsed: readonly string[]): TargetPickEntry[] {
  const configuredNames = new Set(configured.map((t) => t.name));
  const shownBuiltin = builtin.filter((b) => !configuredNames.has(b.name));
  const known = new Set([...shownBuiltin.map((b) => b.name), ...configuredNames]);
  const remembered = lastUsed.filter((n) => known.has(n));
  const fallback = shownBuiltin[0]?.name ?? configured[0]?.name;
  const picked = new Set(remembered.length ? remembered : fallback !== undefined ? [fallback] : []);
  const entries: TargetPickEntry[] = [];
  if (shownBuiltin.length) entries.push({ kind: 'separator', label: 'built-in (qemu on this machine)' });
  for (const b of shownBuiltin) {
    entries.push({
      kind: 'target',
      label: b.name,
      description: b.description,
      detail: b.ready ? 'boots a throw-away VM, ssh on 127.0.0.1 · attaches struct_ops maps' : 'not set up yet: the run offers to set it up (remote/vm/setup.sh)',
      picked: picked.has(b.name),
      choice: { kind: 'builtin', name: b.name },
    });
  }
  if (configured.length) entries.push({ kind: 'separator', label: 'bpfAssoc.vm.targets' });
  for (const t of configured) entries.push({ kind: 'target', label: t.name, ...describeTarget(t), picked: picked.has(t.name), choice: { kind: 'configured', target: t } });
  return entries;
}

export function choiceName(c: TargetChoice): string {
  return c.kind === 'builtin' ? c.name : c.target.name;
}

/** The API's two lists, in the order picked. */
export function splitChoices(choices: readonly TargetChoice[]): { builtin: string[]; targets: VmTarget[] } {
  return {
    builtin: choices.flatMap((c) => (c.kind === 'builtin' ? [c.name] : [])),
    targets: choices.flatMap((c) => (c.kind === 'configured' ? [c.target] : [])),
  };
}

/** Targets named on the command line of `bpfAssoc.runOnVm` (tests, keybindings), resolved like the CLI does. */
export function choicesByName(names: readonly string[], builtin: BuiltinTarget[], configured: VmTarget[]): { choices: TargetChoice[]; unknown: string[] } {
  const choices: TargetChoice[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const t = configured.find((x) => x.name === name);
    if (t) choices.push({ kind: 'configured', target: t });
    else if (builtin.some((b) => b.name === name)) choices.push({ kind: 'builtin', name });
    else unknown.push(name);
  }
  return { choices, unknown };
}
