import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import { addConfigOptions, configured } from '../config-options.js';

/** `baton keys show`: prints the Baton home's public key (creating the key pair on first use). */
export function registerKeys(program: Command, env: Environment): void {
  const keys = program.command('keys').description("manage the Baton home's Ed25519 signing keys");
  addConfigOptions(
    keys.command('show').description('print the public key that signs contracts and receipts'),
    'keys show',
  ).action(
    configured(env, async (config) => {
      const pair = await loadOrCreateKeys(config.home);
      const publicKeyPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      if (config.json) {
        const view = {
          keyId: pair.keyId,
          publicKey: pair.publicKeyHex,
          publicKeyPem,
          path: pair.publicKeyPath,
        };
        process.stdout.write(`${JSON.stringify(view)}\n`);
      } else {
        process.stdout.write(
          `${publicKeyPem}# key id ${pair.keyId}\n# raw ${pair.publicKeyHex}\n# file ${pair.publicKeyPath}\n`,
        );
      }
    }),
  );
}
