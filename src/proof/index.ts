// Public API of `baton-runtime/proof`: signed contracts and receipts, and their offline check.
// Every export here is public API, pinned by test/public-api.test.ts.
export type { ChainVerdict } from '../core/events.js';
export { verifyChain } from '../core/events.js';
export { receiptForRun, serializeEnvelope } from '../governed/issue.js';
export type { SessionLogVerdict } from '../runtime/verify-session.js';
export { verifySessionLog } from '../runtime/verify-session.js';
export type { SigningKeys } from './keys.js';
export { KeyPermissionsError, loadOrCreateKeys, parsePublicKey } from './keys.js';
export type { Signature } from './signature.js';
export type { Artifact, Contract, ProofEnvelope, Receipt } from './statements.js';
export type { VerifyOptions, VerifyVerdict } from './verify.js';
export { verifyReceiptFile } from './verify.js';
