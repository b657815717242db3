import { resolve } from 'node:path';
import type { BatonConfig } from '../config/load-config.js';
import type { SandboxLimits } from '../core/sandbox-policy.js';
import type { GovernedRunOptions } from '../governed/start-governed.js';

/** The settings `baton exec` and `baton run --workspace` build a governed run's sandbox from. */
export type SandboxConfig = Pick<
  BatonConfig,
  'read' | 'hide' | 'memory' | 'processes' | 'tmpSize' | 'maxPatch' | 'db' | 'home' | 'env'
>;

/**
 * The governed-run options the sandbox settings stand for: extra readable and hidden paths, the
 * limits, the environment Baton runs in, and the Baton home and store file of this invocation
 * (both hidden by real path).
 */
export function sandboxRunOptions(
  config: SandboxConfig,
): Pick<GovernedRunOptions, 'readPaths' | 'hidePaths' | 'batonHome' | 'storePath' | 'limits' | 'hostEnv'> {
  const limits: Partial<SandboxLimits> = {
    ...(config.memory !== undefined && { memoryBytes: config.memory }),
    ...(config.processes !== undefined && { processes: config.processes }),
    ...(config.tmpSize !== undefined && { tmpBytes: config.tmpSize }),
    ...(config.maxPatch !== undefined && { patchBytes: config.maxPatch }),
  };
  const { db } = config;
  const isFile = db !== ':memory:' && db !== 'memory:' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(db);
  return {
    readPaths: config.read,
    hidePaths: config.hide,
    batonHome: config.home,
    ...(isFile && { storePath: resolve(db) }),
    limits,
    hostEnv: config.env,
  };
}
