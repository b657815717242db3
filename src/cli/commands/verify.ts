import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { errorMessage, UserError } from '../../core/errors.js';
import { parsePublicKey, rawPublicKeyHex } from '../../proof/keys.js';
import { type TrustFile, trustFileSchema } from '../../proof/trust.js';
import { type VerifyVerdict, verifyReceiptFile } from '../../proof/verify.js';
import { readRegularFile } from '../../workspace/tools/regular-file.js';
import { addConfigOptions, configured } from '../config-options.js';
import { EXIT } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

/**
 * `baton verify <receipt.json>`: checks a receipt offline. Exit 0 valid, 1 invalid with the
 * reason (an unusable trusted key or trust file included), 2 when the receipt file cannot be read.
 * `--public-key` pins the signer; `--trust` checks the contract's signer against the trust file's
 * plane keys and the receipt's against its runner keys; `--db` also checks the event log and artifacts.
 */
export function registerVerify(program: Command, env: Environment): void {
  const command = program
    .command('verify')
    .description('verify a receipt file: signatures, contract pin, and with --db the event log and artifacts')
    .argument('<receipt>', 'receipt file as printed by `baton receipt`');
  addConfigOptions(command, 'verify').action(
    configured(env, async (config, file: string) => {
      const verdict = await verify(file, config);
      if (config.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
      else if (verdict.valid) {
        const trust = {
          pinned: 'the trusted key',
          'trust-file': `key ${verdict.publicKey} of the trust file`,
          embedded: `embedded key ${verdict.publicKey} (not pinned)`,
        }[verdict.keyTrust];
        process.stdout.write(
          `valid: run ${verdict.runId} ${verdict.status}, signed by ${trust}; checked ${verdict.checks.join(', ')}\n`,
        );
      } else process.stderr.write(`invalid: ${verdict.reason}\n`);
      process.exitCode = verdict.valid ? EXIT.success : EXIT.workFailed;
    }),
  );
}

// A receipt file that cannot be read is a usage error (exit 2). Anything read and found wanting,
// the trusted key included (unreadable, not a key), is invalid (exit 1) with the reason.
async function verify(file: string, config: BatonConfig): Promise<VerifyVerdict> {
  let bytes: Uint8Array;
  try {
    // A FIFO or device is refused at once: reading one would wait for a writer forever.
    bytes = (await readRegularFile(file, file)).bytes;
  } catch (error) {
    throw new UserError('unreadable_receipt', `cannot read ${file}: ${errorMessage(error)}`);
  }
  let trustedPublicKey: string | undefined;
  if (config.publicKey !== undefined) {
    try {
      trustedPublicKey = rawPublicKeyHex(parsePublicKey(await readFile(config.publicKey, 'utf8')));
    } catch (error) {
      return { valid: false, reason: `cannot use public key ${config.publicKey}: ${errorMessage(error)}` };
    }
  }
  let trust: TrustFile | undefined;
  if (config.trust !== undefined) {
    try {
      trust = trustFileSchema.parse(JSON.parse(await readFile(config.trust, 'utf8')));
    } catch (error) {
      return { valid: false, reason: `cannot use trust file ${config.trust}: ${errorMessage(error)}` };
    }
  }
  const options = {
    ...(trustedPublicKey !== undefined && { trustedPublicKey }),
    ...(trust !== undefined && { trust }),
  };
  // Offline unless asked: only an explicit --db checks the log and artifacts, never BATON_DB.
  if (config.sources.db !== 'flag') return verifyReceiptFile(bytes, options);
  return withStore(config, (store) => verifyReceiptFile(bytes, { ...options, store }));
}
