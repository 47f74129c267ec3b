/**
 * The page's one connection to the data engine worker, started on first use. The worker's script
 * URL goes through the app's Trusted Types policy (the CSP requires it for `new Worker`). Nothing
 * on this side parses or computes: it sends requests and decodes the (small) Arrow answers.
 */
import engineWorkerUrl from '../../workers/engine/engine-worker.ts?worker&url';
import { connectEngine, type EngineConnection } from '../../workers/engine/comlink/index.ts';
import { trustedScriptUrl } from '../security/trusted-types.ts';

let connection: EngineConnection | undefined;

/**
 * The engine, starting its worker the first time.
 *
 * @example
 * const table = await engine().open({ kind: 'file', file, name: file.name }, { jobId });
 */
export function engine(): EngineConnection {
  connection ??= connectEngine(
    new Worker(trustedScriptUrl(engineWorkerUrl) as string, {
      type: 'module',
      name: 'enclave-engine',
    }),
  );
  return connection;
}
