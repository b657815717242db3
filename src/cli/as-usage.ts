import { UserError } from '../core/errors.js';
import { UsageError } from './usage-error.js';

/**
 * Runs `work`, turning configuration mistakes it reports (`UserError`: a missing agent file,
 * an unknown model provider) into usage errors, which exit 2.
 */
export async function asUsage<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserError) throw new UsageError(error.message);
    throw error;
  }
}
