import { UserError } from '../core/errors.js';

/** The pool an unconfigured plane serves, and the one a runner joins when told no other. */
export const DEFAULT_POOL = 'default';

const POOL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Throws `invalid_pool` unless `name` is a pool name: it travels in URLs, tokens and contracts. */
export function checkPoolName(name: string): string {
  if (!POOL_NAME.test(name))
    throw new UserError(
      'invalid_pool',
      `invalid pool name ${JSON.stringify(name)}: use 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  return name;
}
