import { sign, verify } from 'node:crypto';
import { canonicalJson } from '../core/hash.js';
import type { SigningKeys } from './keys.js';
import { publicKeyFromHex } from './keys.js';

/** An Ed25519 signature over the RFC 8785 canonical JSON of a statement. */
export interface Signature {
  alg: 'ed25519';
  /** Raw public key of the signer, lowercase hex (64 digits). */
  publicKey: string;
  /** The signature, lowercase hex (128 digits). */
  signature: string;
}

/** Signs the canonical bytes of `statement`. */
export function signStatement(statement: unknown, keys: SigningKeys): Signature {
  const bytes = Buffer.from(canonicalJson(statement), 'utf8');
  return {
    alg: 'ed25519',
    publicKey: keys.publicKeyHex,
    signature: sign(null, bytes, keys.privateKey).toString('hex'),
  };
}

/** True when `signature` is a valid Ed25519 signature of the canonical bytes of `statement`. */
export function verifyStatement(statement: unknown, signature: Signature): boolean {
  try {
    const bytes = Buffer.from(canonicalJson(statement), 'utf8');
    return verify(
      null,
      bytes,
      publicKeyFromHex(signature.publicKey),
      Buffer.from(signature.signature, 'hex'),
    );
  } catch {
    // A key or signature that does not even parse does not verify.
    return false;
  }
}
