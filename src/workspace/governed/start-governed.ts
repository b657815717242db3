import type { EventDraft } from '../../core/events.js';
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
import { parseAllowHosts } from '../sandbox/egress-proxy.js';

/** What every governed run (an `exec` command or an agent on a workspace) starts from. */
export interface GovernedRunOptions {
  /** A directory inside the git work tree to capture. */
  dir: string;
  allowUntracked?: readonly string[];
  /** Hosts the sandboxed command may reach through the allowlisting proxy (recorded in the contract). */
  allowHosts?: readonly string[];
  /** `bwrap` (default) or an explicit opt-out of isolation, which cannot honour `allowHosts`. */
  sandbox?: 'bwrap' | 'none';
  secretPatterns?: readonly string[];
  /** Directories hidden from sandboxed commands besides the source repository (e.g. the Baton home). */
  hidePaths?: readonly string[];
  requestedBy: CallerIdentity;
  /** The plane key that signs the contract. */
  keys: SigningKeys;
  signal?: AbortSignal;
}

/** The run-specific part: its kind, agent, task, budget, first events and input. */
export interface GovernedRunSpec {
  kind: string;
  agent: string;
  /** The module defining the agent, recorded on the run so that a worker can load it. */
  agentModule?: string;
  /** Hashed into the contract's `taskHash`. */
  task: unknown;
  budget: Contract['budget'];
  /** Events committed after `session.started` and before the capture (e.g. the user message). */
  leadingEvents?: EventDraft[];
  /** The run input, given the manifest hash and the paths sandboxes must hide. */
  input(context: {
    manifestHash: string;
    hidePaths: string[];
    secretPatterns: string[];
    allowHosts: string[];
  }): Record<string, unknown>;
}

/** A queued governed run with its signed contract. */
export interface StartedGovernedRun {
  sessionId: string;
  runId: string;
  contractHash: string;
  manifest: WorkspaceManifest;
}

/**
 * Captures the workspace, issues the signed contract and queues the run. The contract and the
 * capture are committed to the session's log before the run exists, so no worker can execute a
 * run whose contract is not recorded.
 */
export async function startGovernedRun(
  store: Store,
  options: GovernedRunOptions,
  spec: GovernedRunSpec,
): Promise<StartedGovernedRun> {
  const allowHosts = parseAllowHosts(options.allowHosts ?? []);
  if (allowHosts.length > 0 && options.sandbox === 'none') {
    throw new NotSupportedError(
      'allowed hosts (--allow-host) need the bwrap sandbox: without isolation the command could reach every host',
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
  const input = spec.input({
    manifestHash,
    hidePaths: [repository.root, ...(options.hidePaths ?? [])],
    secretPatterns,
    allowHosts,
  });
  const sessionId = newId('ses');
  const runId = newId('run');
  const contract: Contract = {
    version: 1,
    runId,
    issuedAt: new Date().toISOString(),
    requestedBy: options.requestedBy,
    agent: spec.agent,
    taskHash: hashCanonical(spec.task),
    workspaceManifestHash: manifestHash,
    envelopeHash: hashCanonical(input),
    network: allowHosts.length > 0 ? { mode: 'allowlist', hosts: allowHosts } : { mode: 'none', hosts: [] },
    secrets: {
      env: [],
      deniedPaths: manifest.denied.filter((entry) => entry.reason === 'secret').map((entry) => entry.path),
    },
    budget: spec.budget,
    pool: 'local',
  };
  const issued = await issueContract(store, options.keys, contract);
  await store.createSession({
    id: sessionId,
    agent: spec.agent,
    context: {},
    auth: { initiator: options.requestedBy, current: options.requestedBy },
    // Governed sessions take no follow-up messages: the token is random and never handed out.
    tokenHash: sha256Hex(newSecret()),
  });
  await store.append(
    sessionId,
    [
      { type: 'session.started', data: { agent: spec.agent } },
      ...(spec.leadingEvents ?? []),
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
    agent: spec.agent,
    kind: spec.kind,
    input,
    idempotencyKey: null,
    agentModule: spec.agentModule ?? null,
  });
  return { sessionId, runId, contractHash: issued.contractHash, manifest };
}
