import type { Environment } from '../core/environment.js';

/**
 * The environment of this process. The CLI passes it down from its edge; in the library it is
 * only the default `env` of a public entry point (`createRuntime`, `createApp`, the workspace
 * functions) called without one. Deep modules never call it: they take `env` from their caller,
 * and test/process-environment.test.ts holds both rules.
 */
export function processEnvironment(): Environment {
  return process.env;
}
