import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment } from '../../core/environment.js';
import { UserError } from '../../core/errors.js';
import { type HandoffPolicy, handoffPolicySchema, localFirst } from '../../governed/handoff/policy.js';
import { inspectRepository } from '../../workspace/repository.js';

/** The policy file `baton handoff` reads, at the root of the repository. */
export const POLICY_FILE = 'baton.handoff.json';

/**
 * The repository's hand-off policy (`baton.handoff.json`: the options of `localFirst`, or a
 * whole policy with `kind`), or undefined when there is none.
 */
export async function readHandoffPolicy(
  workspace: string,
  env: Environment,
): Promise<HandoffPolicy | undefined> {
  const { root } = await inspectRepository(workspace, { hostEnv: env });
  const file = join(root, POLICY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return 'kind' in value ? handoffPolicySchema.parse(value) : localFirst(value);
  } catch (error) {
    throw new UserError('invalid_request', `${file} is not a hand-off policy: ${(error as Error).message}`);
  }
}
