import { z } from 'zod';

const publicKey = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A trust file (`baton keys export-trust`, `baton verify --trust`; docs/proof.md): the plane
 * keys that may sign contracts and, per pool, the runner keys that may sign receipts.
 */
export const trustFileSchema = z
  .object({
    version: z.literal(1),
    /** Raw hex public keys of the planes whose contracts are trusted (they also sign local runs' receipts). */
    planes: z.array(publicKey),
    /** Raw hex public keys of registered runners, with the pool each was registered for. */
    runners: z.array(z.object({ pool: z.string().min(1), publicKey }).strict()),
  })
  .strict();

/** A parsed trust file. */
export type TrustFile = z.infer<typeof trustFileSchema>;

/**
 * Why an envelope's signers are not the ones `trust` names, or undefined when they are: the
 * contract's signer must be a trusted plane; the receipt's a runner registered for the
 * contract's pool, or, for a run the plane executed itself (pool `local`), a trusted plane.
 */
export function untrustedSigner(
  trust: TrustFile,
  signers: { contract: string; receipt: string; pool: string },
): string | undefined {
  if (!trust.planes.includes(signers.contract))
    return 'the contract is not signed by a plane key of the trust file';
  const runnerTrusted = trust.runners.some(
    (runner) => runner.pool === signers.pool && runner.publicKey === signers.receipt,
  );
  const planeRan = signers.pool === 'local' && trust.planes.includes(signers.receipt);
  if (!runnerTrusted && !planeRan)
    return `the receipt is not signed by a runner key the trust file lists for pool ${signers.pool}`;
  return undefined;
}
