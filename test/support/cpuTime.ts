// Gross guards against runaway work measure the process's CPU time, not wall time: a loaded
// machine (CI, parallel jobs) must not fail a test that is about complexity, not speed.

/** A stopwatch of this process's CPU time (user + system), in milliseconds. */
export function cpuStopwatch(): () => number {
  const started = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(started);
    return (user + system) / 1000;
  };
}
