/**
 * Test support: stopping the helper processes tests start (slapd, the stand-in issuer).
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Asks a child process to stop (SIGTERM), kills it if it has not exited after five seconds, and
 * resolves once it is gone; at once when it already is.
 *
 * @example
 * await stopChild(slapd);
 */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
