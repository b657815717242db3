import { processEnvironment } from '../config/process-environment.js';
import type { Environment } from '../core/environment.js';
import type { EventDraft } from '../core/events.js';
import { canonicalJson, hashCanonical, sha256Hex } from '../core/hash.js';
import { newId, newSecret } from '../core/ids.js';
import type { SandboxLimits, SandboxPolicy } from '../core/sandbox-policy.js';
import type { CallerIdentity } from '../core/tool.js';
import type { SigningKeys } from '../proof/keys.js';
import type { Contract } from '../proof/statements.js';
import type { Store } from '../store/store.js';
import { inCurrentTrace } from '../telemetry/trace-context.js';
import { captureWorkspace } from '../workspace/capture.js';
import { NotSupportedError } from '../workspace/errors.js';
import type { WorkspaceManifest } from '../workspace/manifest.js';
import { inspectRepository } from '../workspace/repository.js';
import { parseAllowHosts } from '../workspace/sandbox/egress-proxy.js';
import { buildSandboxPolicy } from '../workspace/sandbox/policy.js';
import { issueContract } from './issue.js';
import { checkPoolName } from './pool-name.js';

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
  /** Paths hidden from sandboxed commands besides the ones every policy hides (`--hide`). */
  hidePaths?: readonly string[];
  /** Extra paths sandboxed commands may read (`--read`). */
  readPaths?: readonly string[];
  /** The Baton home (signing keys): hidden by real path. */
  batonHome?: string;
  /** The SQLite store file: hidden by real path, with its directory. */
  storePath?: string;
  /** Overrides of the default sandbox limits (recorded in the contract). */
  limits?: Partial<SandboxLimits>;
  requestedBy: CallerIdentity;
  /** The plane key that signs the contract. */
  keys: SigningKeys;
  signal?: AbortSignal;
  /** The environment Baton runs in, which git and the sandbox policy start from (default: the process environment). */
  hostEnv?: Environment;
  /**
   * The runner pool that executes the run (`baton worker --pool`), recorded on the run and in
   * the contract; absent: the plane's own workers execute it (contract pool `local`).
   */
  pool?: string;
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
  /** The run input, given the manifest hash and the run's sandbox policy. */
  input(context: {
    manifestHash: string;
    policy: SandboxPolicy;
    secretPatterns: string[];
    /** The real path of the captured repository's root (absent for a hand-off's upload). */
    repository?: string;
  }): Record<string, unknown>;
}

/** A queued governed run with its signed contract. */
export interface StartedGovernedRun {
  sessionId: string;
  runId: string;
  contractHash: string;
  manifest: WorkspaceManifest;
}

/** Captures the workspace, builds its sandbox policy and queues the run ({@link enqueueGovernedRun}). */
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
  const hostEnv = options.hostEnv ?? processEnvironment();
  const repository = await inspectRepository(options.dir, { hostEnv, signal: options.signal });
  const secretPatterns = [...(options.secretPatterns ?? [])];
  const manifest = await captureWorkspace(
    repository.root,
    {
      allowUntracked: options.allowUntracked ?? [],
      secretPatterns,
      hostEnv,
      ...(options.signal && { signal: options.signal }),
    },
    store,
  );
  const manifestHash = await store.putBlob(Buffer.from(canonicalJson(manifest), 'utf8'));
  // One policy for the whole run, built before the run exists and signed into its contract.
  const policy = await buildSandboxPolicy({
    sandbox: options.sandbox ?? 'bwrap',
    sourceRepository: repository.root,
    ...(options.batonHome !== undefined && { batonHome: options.batonHome }),
    ...(options.storePath !== undefined && { storePath: options.storePath }),
    read: options.readPaths ?? [],
    hide: options.hidePaths ?? [],
    allowHosts,
    limits: options.limits ?? {},
    hostEnv,
    ...(options.signal && { signal: options.signal }),
  });
  return enqueueGovernedRun(
    store,
    { ...options, manifest, manifestHash, policy, secretPatterns, repository: repository.root },
    spec,
  );
}

/** A captured workspace and its sandbox policy, ready for {@link enqueueGovernedRun}. */
export interface PreparedGovernedRun {
  requestedBy: CallerIdentity;
  keys: SigningKeys;
  manifest: WorkspaceManifest;
  /** The hash of the manifest's blob, already in the store with every blob it names. */
  manifestHash: string;
  policy: SandboxPolicy;
  secretPatterns: string[];
  /** The hand-off envelope the contract pins instead of the run input; default the input's hash. */
  envelopeHash?: string;
  /** Names of secrets the plane releases into the sandbox (recorded in the contract, never values). */
  secretNames?: readonly string[];
  /** The runner pool that executes the run, recorded in the contract (default `local`: the plane's own workers). */
  pool?: string;
  /** The real path of the captured repository's root, where it is on this machine. */
  repository?: string;
}

/**
 * Issues the signed contract of a captured workspace and queues the run. The contract and the
 * capture are committed to the session's log before the run exists, so no worker can execute a
 * run whose contract is not recorded.
 */
export async function enqueueGovernedRun(
  store: Store,
  prepared: PreparedGovernedRun,
  spec: GovernedRunSpec,
): Promise<StartedGovernedRun> {
  if (prepared.pool !== undefined) checkPoolName(prepared.pool);
  if (prepared.pool !== undefined && prepared.policy.sandbox === 'none')
    throw new NotSupportedError(
      'a pool run always runs sandboxed: its runner refuses no isolation (sandbox none)',
    );
  const { manifest, manifestHash, policy, secretPatterns } = prepared;
  const allowHosts = policy.allowHosts;
  const input = spec.input({
    manifestHash,
    policy,
    secretPatterns,
    ...(prepared.repository !== undefined && { repository: prepared.repository }),
  });
  const sessionId = newId('ses');
  const runId = newId('run');
  const contract: Contract = {
    version: 1,
    runId,
    issuedAt: new Date().toISOString(),
    requestedBy: prepared.requestedBy,
    agent: spec.agent,
    taskHash: hashCanonical(spec.task),
    workspaceManifestHash: manifestHash,
    envelopeHash: prepared.envelopeHash ?? hashCanonical(input),
    network: allowHosts.length > 0 ? { mode: 'allowlist', hosts: allowHosts } : { mode: 'none', hosts: [] },
    secrets: {
      env: [...(prepared.secretNames ?? [])],
      deniedPaths: manifest.denied.filter((entry) => entry.reason === 'secret').map((entry) => entry.path),
    },
    budget: spec.budget,
    pool: prepared.pool ?? 'local',
    sandbox: policy,
  };
  const issued = await issueContract(store, prepared.keys, contract);
  await store.createSession({
    id: sessionId,
    agent: spec.agent,
    context: {},
    auth: { initiator: prepared.requestedBy, current: prepared.requestedBy },
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
  await store.createRun(
    inCurrentTrace({
      id: runId,
      sessionId,
      agent: spec.agent,
      kind: spec.kind,
      input,
      idempotencyKey: null,
      agentModule: spec.agentModule ?? null,
      pool: prepared.pool ?? null,
    }),
  );
  return { sessionId, runId, contractHash: issued.contractHash, manifest };
}
