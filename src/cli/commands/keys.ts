import type { Command } from 'commander';
import { resolveBatonHome } from '../../proof/baton-home.js';
import { loadOrCreateKeys } from '../../proof/keys.js';
import { addDbOption } from '../options.js';

/** `baton keys show`: prints the Baton home's public key (creating the key pair on first use). */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description("manage the Baton home's Ed25519 signing keys");
  addDbOption(
    keys
      .command('show')
      .description('print the public key that signs contracts and receipts')
      .option('--json', 'print { keyId, publicKey, publicKeyPem, path } as JSON'),
  ).action(async (flags: { db?: string; json?: boolean }) => {
    const pair = await loadOrCreateKeys(resolveBatonHome({ db: flags.db }));
    const publicKeyPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    if (flags.json) {
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
  });
}
