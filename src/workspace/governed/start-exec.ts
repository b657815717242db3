import { userInfo } from 'node:os';
import { canonicalJson, hashCanonical, sha256Hex } from '../../core/hash.js';
import { newId, newSecret } from '../../core/ids.js';
import type { CallerIdentity } from '../../core/tool.js';
import { issueContract } from '../../proof/issue.js';
import type { SigningKeys } from '../../proof/keys.js';
import type { Contract } from '../../proof/statements.js';
import type { Store } from '../../store/store.js';
import { captureWorkspace } from '../capture.js';
import { NotSupportedError } from '../errors.js';
import type { WorkspaceManifest } from '../manifest.js';
import { inspectRepository } from '../repository.js';
import type { ExecInput } from './exec-input.js';

/** Options of {@link startExec}. */
export interface StartExecOptions {
  /** A directory inside the git work tree to capture. */
  dir: string;
  command: readonly string[];
  allowUntracked?: readonly string[];
  allowHosts?: readonly string[];
  secretPatterns?: readonly string[];
  timeoutMs?: number;
  maxOutputBytes?: number;
  sandbox?: 'bwrap' | 'none';
  /** Directories hidden from the command besides the source repository (e.g. the Baton home). */
  hidePaths?: readonly string[];
  requestedBy?: CallerIdentity;
  /** The plane key that signs the contract. */
  keys: SigningKeys;
  signal?: AbortSignal;
}

/** A queued `exec` run with its signed contract. */
export interface StartedExec {
  sessionId: string;
  runId: string;
  contractHash: string;
  manifest: WorkspaceManifest;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Captures the workspace, issues the signed contract and queues an `exec` run. The contract
 * and the capture are committed to the session's log before the run exists, so no worker can
 * execute a run whose contract is not recorded.
 */
export async function startExec(store: Store, options: StartExecOptions): Promise<StartedExec> {
  const allowHosts = [...(options.allowHosts ?? [])];
  if (allowHosts.length > 0) {
    throw new NotSupportedError(
      'network allowlists (--allow-host) are not supported yet: sandboxed commands have no network',
    );
  }
  const repository = await inspectRepository(options.dir, options.signal);
  const secretPatterns = [...(options.secretPatterns ?? [])];
  const manifest = await captureWorkspace(
    repository.root,
    {
      allowUntracked: options.allowUntracked ?? [],
      secretPatterns,
      ...(options.signal && { signal: options.signal }),
    },
    store,
  );
  const manifestHash = await store.putBlob(Buffer.from(canonicalJson(manifest), 'utf8'));
  const input: ExecInput = {
    command: [...options.command],
    manifestHash,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    sandbox: options.sandbox ?? 'bwrap',
    hidePaths: [repository.root, ...(options.hidePaths ?? [])],
    secretPatterns,
  };
  const sessionId = newId('ses');
  const runId = newId('run');
  const requestedBy = options.requestedBy ?? { kind: 'cli', subject: userInfo().username };
  const contract: Contract = {
    version: 1,
    runId,
    issuedAt: new Date().toISOString(),
    requestedBy,
    agent: 'exec',
    taskHash: hashCanonical({ kind: 'exec', command: input.command }),
    workspaceManifestHash: manifestHash,
    envelopeHash: hashCanonical(input),
    network: { mode: 'none', hosts: [] },
    secrets: {
      env: [],
      deniedPaths: manifest.denied.filter((entry) => entry.reason === 'secret').map((entry) => entry.path),
    },
    budget: {
      timeoutMs: input.timeoutMs,
      maxOutputBytes: input.maxOutputBytes,
      maxSteps: null,
      maxCostUsd: null,
    },
    pool: 'local',
  };
  const issued = await issueContract(store, options.keys, contract);
  await store.createSession({
    id: sessionId,
    agent: 'exec',
    context: {},
    auth: { initiator: requestedBy, current: requestedBy },
    // Exec sessions take no follow-up messages: the token is random and never handed out.
    tokenHash: sha256Hex(newSecret()),
  });
  await store.append(
    sessionId,
    [
      { type: 'session.started', data: { agent: 'exec' } },
      { type: 'contract.issued', data: issued },
      {
        type: 'workspace.captured',
        data: { manifestHash, baseRef: manifest.baseRef, denied: manifest.denied },
      },
    ],
    { runId },
  );
  await store.createRun({
    id: runId,
    sessionId,
    agent: 'exec',
    kind: 'exec',
    input: { ...input },
    idempotencyKey: null,
  });
  return { sessionId, runId, contractHash: issued.contractHash, manifest };
}
