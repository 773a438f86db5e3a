// For tests and debugging: BPF_ASSOC_VM_HOLD=TARGET:STAGE[:SECONDS] in the editor's environment
// makes the agent wait at STAGE (load, associate or attach) in runs that include TARGET, until
// Cancel or SECONDS (default 120) pass. The e2e suite cancels a run held this way and checks that
// nothing is left on the VM. Pure, so it is unit-tested.

export interface Hold {
  stage: 'load' | 'associate' | 'attach';
  seconds: number;
}

export function holdFromEnv(value: string | undefined, targets: readonly string[]): Hold | undefined {
  if (!value) return undefined;
  const m = /^(.+):(load|associate|attach)(?::(\d+))?$/.exec(value);
  if (!m || !targets.includes(m[1] as string)) return undefined;
  return { stage: m[2] as Hold['stage'], seconds: m[3] ? Number(m[3]) : 120 };
}
