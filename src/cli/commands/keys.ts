import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { listRunnerKeys } from '../../governed/runner-keys.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import type { TrustFile } from '../../proof/trust.js';
import { addConfigOptions, configured } from '../config-options.js';
import { withStore } from '../open-cli-store.js';

/**
 * `baton keys show`: prints the Baton home's public key (creating the key pair on first use).
 * `baton keys export-trust [--db]`: prints the trust file (docs/proof.md) of this plane: its own
 * key and the runner keys registered in its store, for `baton verify --trust`.
 */
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
  addConfigOptions(
    keys
      .command('export-trust')
      .description('print the trust file (JSON): this plane key and the runner keys registered in its store'),
    'keys export-trust',
  ).action(
    configured(env, async (config) => {
      const plane = await loadOrCreateKeys(config.home);
      const runners = await withStore(config, (store) => listRunnerKeys(store));
      const trust: TrustFile = { version: 1, planes: [plane.publicKeyHex], runners };
      process.stdout.write(`${JSON.stringify(trust, null, 2)}\n`);
    }),
  );
}
