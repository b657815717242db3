import { type BatonClient, createClient } from '../client/client.js';
import { apiErrorFrom } from '../client/client-error.js';
import type { HandoffEnvelope } from '../governed/handoff/envelope.js';
import { PolicyDeniedError, REASON_SEPARATOR } from '../governed/handoff/errors.js';

/** Where the plane is and how to authenticate to it (`handoff({ plane })`). */
export interface PlaneConnection {
  /** The plane's root, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/** What the plane answers a hand-off with (`POST /v1/handoffs`). */
export interface SubmittedHandoff {
  runId: string;
  sessionId: string;
  contractHash: string;
  envelopeHash: string;
  decision: 'continue';
  reasons: string[];
}

/** The calls the SDK makes to the plane: the Baton API client plus blobs and hand-offs. */
export interface PlaneClient {
  api: BatonClient;
  hasBlob(hash: string, signal?: AbortSignal): Promise<boolean>;
  putBlob(hash: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  getBlob(hash: string, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Submits an envelope; a denial by the plane is a {@link PolicyDeniedError} with its reasons. */
  submit(envelope: HandoffEnvelope, signal?: AbortSignal): Promise<SubmittedHandoff>;
}

/** A client of the plane's hand-off routes (docs/handoff.md). */
export function planeClient(plane: PlaneConnection): PlaneClient {
  const base = plane.url.replace(/\/+$/, '');
  const fetchImpl = plane.fetch ?? globalThis.fetch.bind(globalThis);
  const auth: Record<string, string> =
    plane.token === undefined ? {} : { authorization: `Bearer ${plane.token}` };
  const blobUrl = (hash: string) => `${base}/v1/blobs/${encodeURIComponent(hash)}`;
  const signalOf = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal });

  return {
    api: createClient({
      baseUrl: base,
      ...(plane.token !== undefined && { token: plane.token }),
      ...(plane.fetch !== undefined && { fetch: plane.fetch }),
    }),
    async hasBlob(hash, signal) {
      const response = await fetchImpl(blobUrl(hash), { method: 'HEAD', headers: auth, ...signalOf(signal) });
      if (response.status === 404) return false;
      if (!response.ok) throw await apiErrorFrom(response);
      return true;
    },
    async putBlob(hash, bytes, signal) {
      const response = await fetchImpl(blobUrl(hash), {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(bytes),
        ...signalOf(signal),
      });
      if (!response.ok) throw await apiErrorFrom(response);
      await response.body?.cancel();
    },
    async getBlob(hash, signal) {
      const response = await fetchImpl(blobUrl(hash), { headers: auth, ...signalOf(signal) });
      if (response.status === 404) return undefined;
      if (!response.ok) throw await apiErrorFrom(response);
      return new Uint8Array(await response.arrayBuffer());
    },
    async submit(envelope, signal) {
      const response = await fetchImpl(`${base}/v1/handoffs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ envelope }),
        ...signalOf(signal),
      });
      if (!response.ok) {
        const error = await apiErrorFrom(response);
        if (error.code !== 'policy_denied') throw error;
        const reasons = error.message.replace(/^[^:]*: /, '').split(REASON_SEPARATOR);
        throw new PolicyDeniedError(reasons);
      }
      return (await response.json()) as SubmittedHandoff;
    },
  };
}
