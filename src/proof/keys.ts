import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { makeDirectories } from '../core/make-directories.js';
import { ensureBatonHome } from './baton-home.js';
import { createFileOnce } from './create-file-once.js';

/** A Baton home's Ed25519 signing key pair. */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte public key, lowercase hex: how receipts name their signer. */
  publicKeyHex: string;
  /** sha256 hex of the raw public key. */
  keyId: string;
  /** Where the public key is stored as PEM (share it for `baton verify --public-key`). */
  publicKeyPath: string;
}

const PRIVATE_FILE = 'ed25519.key.pem';
const PUBLIC_FILE = 'ed25519.pub.pem';

/** A Baton home's `keys/` or private key is open to other users; the message says how to fix it. */
export class KeyPermissionsError extends UserError {
  constructor(path: string, mode: number, wanted: number) {
    const octal = (value: number) => value.toString(8).padStart(4, '0');
    super(
      'insecure_key_permissions',
      `${path} has mode ${octal(mode)}, so other users can reach the signing key; it must be ${octal(wanted)}: chmod ${wanted.toString(8)} ${path}`,
    );
  }
}

/** Throws {@link KeyPermissionsError} when group or others have any access to `path`. */
async function requirePrivate(path: string, wanted: number): Promise<void> {
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new KeyPermissionsError(path, mode, wanted);
}

/** Reads the private key after checking that only its owner can reach it; ENOENT when there is none. */
async function readPrivateKey(dir: string, privatePath: string): Promise<KeyObject> {
  const pem = await readFile(privatePath, 'utf8');
  await requirePrivate(dir, 0o700);
  await requirePrivate(privatePath, 0o600);
  return createPrivateKey(pem);
}

/** The raw 32 bytes of an Ed25519 public key as hex. */
export function rawPublicKeyHex(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url').toString('hex');
}

/** An Ed25519 public key object from its raw hex form. */
export function publicKeyFromHex(hex: string): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

function describe(privateKey: KeyObject, home: string): SigningKeys {
  const publicKey = createPublicKey(privateKey);
  const publicKeyHex = rawPublicKeyHex(publicKey);
  return {
    privateKey,
    publicKey,
    publicKeyHex,
    keyId: sha256Hex(Buffer.from(publicKeyHex, 'hex')),
    publicKeyPath: join(home, 'keys', PUBLIC_FILE),
  };
}

/**
 * Loads the key pair of a Baton home, creating it on first use: `keys/` is mode 0700 and the
 * private key 0600, set on creation and checked on every load (wider modes are a
 * {@link KeyPermissionsError}). Two processes creating it at once agree on the first one written.
 */
export async function loadOrCreateKeys(home: string): Promise<SigningKeys> {
  const dir = join(home, 'keys');
  const privatePath = join(dir, PRIVATE_FILE);
  try {
    return describe(await readPrivateKey(dir, privatePath), home);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await ensureBatonHome(home);
  makeDirectories(dir, 0o700);
  // The mode given to mkdir is filtered by the umask and ignored for a directory that existed.
  await chmod(dir, 0o700);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // Never shows another process a key file still being written (which it would read as a PEM
  // it cannot decode); the first key linked into place is everyone's.
  if (!(await createFileOnce(privatePath, pem, 0o600)))
    return describe(await readPrivateKey(dir, privatePath), home);
  await writeFile(join(dir, PUBLIC_FILE), publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return describe(privateKey, home);
}

/** Reads a public key for verification: PEM (SPKI) or the raw 64-hex-digit form. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/.test(trimmed)) return publicKeyFromHex(trimmed);
  return createPublicKey(trimmed);
}
