// Waiting on events in tests, with a timeout: a file appearing (a watch on its directory) and a
// process going away (a killed process is reaped asynchronously, so its pid lingers briefly).
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';

/** Resolves when `file` exists (a watch on its directory), rejects after `ms`. */
export function appears(file: string, ms: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const watcher = watch(join(file, '..'), () => check());
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`timed out after ${ms} ms waiting for ${file}`));
    }, ms);
    const check = (): void => {
      if (!existsSync(file)) return;
      clearTimeout(timer);
      watcher.close();
      resolvePromise();
    };
    check();
  });
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the process is gone, rejects after `ms`. */
export async function gone(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
