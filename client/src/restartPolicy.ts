// When the language server dies, restart it — but only a bounded number of times in a window,
// so a server that crashes on start-up does not loop forever. Pure: no vscode, testable.

export interface RestartDecision {
  restart: boolean;
  /** Crashes counted inside the window, this one included. */
  crashes: number;
  message: string;
}

export class RestartPolicy {
  private crashTimes: number[] = [];

  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Records a crash at `now` and says whether to restart. */
  crashed(now: number = Date.now()): RestartDecision {
    this.crashTimes = this.crashTimes.filter((t) => now - t < this.windowMs);
    this.crashTimes.push(now);
    const crashes = this.crashTimes.length;
    const minutes = Math.round(this.windowMs / 60000);
    if (crashes <= this.maxRestarts) {
      return {
        restart: true,
        crashes,
        message: `The bpf-assoc language server stopped unexpectedly; restarting it (${crashes} of ${this.maxRestarts} restarts allowed in ${minutes} minutes).`,
      };
    }
    return {
      restart: false,
      crashes,
      message:
        `The bpf-assoc language server crashed ${crashes} times in the last ${minutes} minutes and will not be restarted. ` +
        `See the "bpf-assoc" output for the cause, then run "bpf-assoc: Restart Language Server".`,
    };
  }

  /** A restart the user asked for starts a fresh budget. */
  reset(): void {
    this.crashTimes = [];
  }
}
