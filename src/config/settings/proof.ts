import { text } from '../parsers.js';
import { setting } from '../setting.js';

/** Proof and pull-back. */
export const PROOF_SETTINGS = {
  publicKey: setting<string>({
    flag: { syntax: '--public-key <file>', commands: ['verify'] },
    description: 'trusted signer public key (PEM, or 64 hex digits)',
    parse: text,
  }),
  trust: setting<string>({
    flag: { syntax: '--trust <file>', commands: ['verify'] },
    description:
      'a trust file (baton keys export-trust): the contract must be signed by its plane key, the receipt by a runner key of the pool',
    parse: text,
  }),
  branch: setting({
    flag: { syntax: '--branch', commands: ['pull'] },
    description: 'always create branch baton/<runId> instead of applying in place',
    default: false,
  }),
  allowOutsideSymlinks: setting({
    flag: { syntax: '--allow-outside-symlinks', commands: ['pull'] },
    description: 'apply a patch that adds symlinks pointing outside the repository or into .git',
    default: false,
  }),
};
