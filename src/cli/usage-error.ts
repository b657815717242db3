import { BatonError } from '../core/errors.js';

/** Exit code for usage errors: unknown file, no default export, bad flags. */
export const EXIT_USAGE = 2;

/** Exit code for environment errors, e.g. a damaged database (`store_corrupt`). */
export const EXIT_ENVIRONMENT = 3;

/** A mistake in how the CLI was called; exits 2 with a one-line message. */
export class UsageError extends BatonError {
  constructor(message: string) {
    super('usage', message);
  }
}
