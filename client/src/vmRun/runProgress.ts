// The progress notification's text while a run goes on: the latest step of every target, e.g.
// `local: running · loaded  ·  7.0 (vng): uploading`. Steps come from the API's onProgress
// ("booting", "connecting", "uploading", "building", "running", then the agent's
// "stage: NAME" lines). Pure, so it is unit-tested.

/** Rough share of a target's run each step starts at, for the notification's progress bar. */
const STEP_SHARE: Record<string, number> = { booting: 0, connecting: 40, uploading: 50, building: 55, running: 65 };
const STAGE_SHARE: Record<string, number> = { started: 70, opened: 75, loaded: 85, associated: 90, attached: 93, 'cleaned-up': 97, done: 100 };

export function stepText(step: string): string {
  const stage = /^stage: (.*)$/.exec(step)?.[1];
  return stage === undefined ? step : `running · ${stage}`;
}

function stepShare(step: string): number {
  const stage = /^stage: (\S+)/.exec(step)?.[1];
  if (stage !== undefined) return STAGE_SHARE[stage] ?? 70;
  return STEP_SHARE[step] ?? 0;
}

export class RunProgress {
  private readonly steps = new Map<string, string>();
  private reported = 0;

  constructor(private readonly targets: readonly string[]) {
    for (const t of targets) this.steps.set(t, 'waiting');
  }

  /** Records a step; returns the message and the increment (0-100 overall) to report. */
  update(target: string, step: string): { message: string; increment: number } {
    this.steps.set(target, step);
    const total = this.targets.reduce((sum, t) => sum + stepShare(this.steps.get(t) ?? ''), 0) / Math.max(1, this.targets.length);
    const increment = Math.max(0, total - this.reported);
    this.reported = Math.max(this.reported, total);
    return { message: this.message(), increment };
  }

  message(): string {
    return [...this.steps].map(([t, s]) => (this.targets.length === 1 ? stepText(s) : `${t}: ${stepText(s)}`)).join('  ·  ');
  }
}
