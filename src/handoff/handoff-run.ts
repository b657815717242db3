import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import type { BatonEvent, StreamEvent } from '../core/events.js';
import { type PullResult, pullRun } from '../governed/pull.js';
import type { ProofEnvelope } from '../proof/statements.js';
import type { RunStatus } from '../store/run-store.js';
import type { PlaneClient } from './plane-client.js';
import { remoteRunReader, storedEvents } from './remote-run.js';

const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
const POLL_MS = 200;

/** What a finished hand-off changed: its `workspace.patch` event. */
export interface HandoffPatch {
  patchHash: string | null;
  files: number;
  insertions: number;
  deletions: number;
}

/** A hand-off running (or finished) on a pool. */
export interface HandoffRun {
  readonly runId: string;
  readonly sessionId: string;
  readonly contractHash: string;
  readonly envelopeHash: string;
  status(): Promise<RunStatus>;
  /** Resolves with the status once the run has finished, or with the status it has at `timeoutMs`. */
  wait(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RunStatus>;
  /** The run's events as they happen, ending with its last terminal event. */
  stream(options?: { signal?: AbortSignal }): AsyncIterable<StreamEvent>;
  /** The signed receipt the finishing runner issued (waits briefly for it after the run ends). */
  receipt(options?: { timeoutMs?: number }): Promise<ProofEnvelope>;
  /** The run's patch summary, or null when it recorded none. */
  patch(): Promise<HandoffPatch | null>;
  /**
   * Pulls the run's change back into the workspace after verifying the plane's log and the
   * receipt: `auto` applies it in place when the tree equals the starting state, else (and
   * with `branch`) it lands on branch `baton/<runId>`.
   */
  pull(options?: { isolation?: 'auto' | 'branch' }): Promise<PullResult>;
}

/** The {@link HandoffRun} of a submitted hand-off. */
export function handoffRun(options: {
  client: PlaneClient;
  runId: string;
  sessionId: string;
  contractHash: string;
  envelopeHash: string;
  workspace: string;
  hostEnv?: Environment;
}): HandoffRun {
  const { client, runId, sessionId } = options;
  const runEvents = async () =>
    (await storedEvents(client, sessionId)).filter((event) => event.runId === runId);
  const status = async () => (await client.api.getRun(runId)).status;
  return {
    runId,
    sessionId,
    contractHash: options.contractHash,
    envelopeHash: options.envelopeHash,
    status,
    async wait({ timeoutMs = 600_000, signal } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await status();
        if (TERMINAL.includes(current) || Date.now() >= deadline || signal?.aborted) return current;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async *stream({ signal } = {}) {
      for await (const event of client.api.stream(sessionId, {
        from: 0,
        follow: true,
        ...(signal && { signal }),
      })) {
        if (event.runId !== runId) continue;
        yield event;
        if (event.type === 'run.completed' || event.type === 'run.failed' || event.type === 'run.cancelled')
          return;
      }
    },
    async receipt({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const issued = (await runEvents()).filter(isReceipt).at(-1);
        if (issued) {
          const bytes = await client.getBlob(issued.data.envelopeHash);
          if (bytes) return JSON.parse(Buffer.from(bytes).toString('utf8')) as ProofEnvelope;
        }
        if (Date.now() >= deadline) {
          throw new UserError(
            'run_not_finished',
            `run ${runId} has no receipt yet; it is issued once the run ends`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async patch() {
      const recorded = (await runEvents()).filter(isPatch).at(-1);
      return recorded ? recorded.data : null;
    },
    pull({ isolation = 'auto' } = {}) {
      return pullRun(remoteRunReader(client), runId, {
        dir: options.workspace,
        branch: isolation === 'branch',
        ...(options.hostEnv && { hostEnv: options.hostEnv }),
      });
    },
  };
}

function isReceipt(event: BatonEvent): event is BatonEvent<'receipt.issued'> {
  return event.type === 'receipt.issued';
}

function isPatch(event: BatonEvent): event is BatonEvent<'workspace.patch'> {
  return event.type === 'workspace.patch';
}
