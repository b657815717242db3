import type { Environment } from '../../core/environment.js';
import { canonicalJson } from '../../core/hash.js';
import type { CallerIdentity } from '../../core/tool.js';
import type { SigningKeys } from '../../proof/keys.js';
import type { Store } from '../../store/store.js';
import { loadBlob, loadManifest } from '../../workspace/restore.js';
import { buildSandboxPolicy } from '../../workspace/sandbox/policy.js';
import type { BatonAgentInput } from '../baton-agent/agent-input.js';
import type { ExecInput } from '../exec-input.js';
import { enqueueGovernedRun, type StartedGovernedRun } from '../start-governed.js';
import { vendorLimits } from '../vendor/vendor-agent.js';
import type { VendorInput } from '../vendor/vendor-input.js';
import { checkpointBlobs, checkpointRecordSchema } from './checkpoint-record.js';
import { decideHandoff, type HandoffDecision } from './decide.js';
import { envelopeHash, type HandoffEnvelope } from './envelope.js';
import { CheckpointIncompleteError, PolicyDeniedError } from './errors.js';
import { checkPoolAgent, type PoolAgents } from './pool-agents.js';
import type { SecretSource } from './secret-source.js';

/** What the plane accepts hand-offs with. */
export interface HandoffPlane {
  /** The plane key that signs contracts. */
  keys: SigningKeys;
  secrets: SecretSource;
  /** The environment the sandbox policy's PATH and toolchains are resolved in (the runners'). */
  hostEnv?: Environment;
  /** The plane's Baton home and SQLite store file: hidden from the sandbox by real path. */
  batonHome?: string;
  storePath?: string;
  /**
   * The module the plane serves the Baton agent `name` from (`baton serve --agents`), recorded
   * on an `agent` run so that its runner can load it; undefined when the plane has no such agent.
   */
  agentModule?(name: string): string | undefined;
  /** The Baton agents each pool may be handed off to; none given: no pool takes one. */
  poolAgents?: PoolAgents;
}

/** A queued hand-off run and the plane's decision on it. */
export interface AcceptedHandoff extends StartedGovernedRun {
  decision: HandoffDecision;
  envelopeHash: string;
}

/**
 * The plane's side of a hand-off: checks that it holds every blob of the checkpoint, re-checks
 * the envelope's policy on the envelope's own facts plus its own (a secret it cannot release to
 * the pool is a denial), then records `policy.decided`, signs the contract pinning the envelope's
 * hash and queues a governed run for the pool (`exec`, `vendor` or `agent`, as the envelope's
 * execution says). A Baton agent the pool does not allow is refused before anything is read
 * (`agent_not_allowed`). A denial or a refusal queues and records nothing.
 */
export async function acceptHandoff(
  store: Store,
  plane: HandoffPlane,
  envelope: HandoffEnvelope,
  requestedBy: CallerIdentity,
): Promise<AcceptedHandoff> {
  if (envelope.execution.kind === 'agent')
    checkPoolAgent(plane.poolAgents, envelope.pool, envelope.execution.name);
  const record = checkpointRecordSchema.parse(
    JSON.parse(Buffer.from(await requireBlob(store, envelope.checkpoint.id)).toString('utf8')),
  );
  if (record.manifestHash !== envelope.checkpoint.manifestHash) {
    throw new CheckpointIncompleteError([envelope.checkpoint.manifestHash]);
  }
  await requireBlob(store, record.manifestHash);
  const manifest = await loadManifest(store, record.manifestHash);
  const missing: string[] = [];
  for (const hash of checkpointBlobs(record, manifest)) {
    if ((await store.getBlob(hash)) === undefined) missing.push(hash);
  }
  if (missing.length > 0) throw new CheckpointIncompleteError(missing);

  const decision = decideHandoff(
    envelope.policy,
    {
      pool: envelope.pool,
      budgetUsd: envelope.budget.maxCostUsd,
      secrets: envelope.secrets,
      parallel: envelope.attempt.of,
    },
    envelope.signals,
  );
  const unavailable = envelope.secrets.filter(
    (name) => plane.secrets.release(name, envelope.pool) === undefined,
  );
  const reasons = [
    ...(decision.decision === 'deny' ? decision.reasons : []),
    ...unavailable.map((name) => `secret ${name} is not available on the plane for pool "${envelope.pool}"`),
  ];
  if (reasons.length > 0) throw new PolicyDeniedError(reasons);

  const pinned = envelopeHash(envelope);
  const execution = envelope.execution;
  const agentModule = execution.kind === 'agent' ? plane.agentModule?.(execution.name) : undefined;
  await store.putBlob(Buffer.from(canonicalJson(envelope), 'utf8'));
  const policy = await buildSandboxPolicy({
    allowHosts: envelope.network.hosts,
    // A vendor CLI's own needs (Claude Code's address space) come before the defaults.
    limits: {
      ...(envelope.execution.kind === 'vendor' && vendorLimits(envelope.execution.agent)),
      timeoutMs: envelope.budget.timeoutMs,
    },
    ...(plane.hostEnv && { hostEnv: plane.hostEnv }),
    ...(plane.batonHome !== undefined && { batonHome: plane.batonHome }),
    ...(plane.storePath !== undefined && { storePath: plane.storePath }),
  });
  const started = await enqueueGovernedRun(
    store,
    {
      requestedBy,
      keys: plane.keys,
      manifest,
      manifestHash: record.manifestHash,
      policy,
      secretPatterns: [],
      envelopeHash: pinned,
      secretNames: envelope.secrets,
      pool: envelope.pool,
    },
    {
      kind: envelope.execution.kind,
      agent: envelope.agent,
      ...(agentModule !== undefined && { agentModule }),
      task: { task: envelope.task, reason: envelope.reason, execution: envelope.execution },
      budget: {
        timeoutMs: envelope.budget.timeoutMs,
        maxOutputBytes: policy.limits.outputBytes,
        maxSteps: null,
        maxCostUsd: envelope.budget.maxCostUsd,
      },
      leadingEvents: [
        {
          type: 'policy.decided',
          data: { decision: 'continue', reasons: decision.reasons, envelopeHash: pinned },
        },
        // A Baton agent's turn reads its task from the log, as a user message.
        ...(execution.kind === 'agent'
          ? [{ type: 'message.received' as const, data: { role: 'user' as const, text: envelope.task } }]
          : []),
      ],
      input: ({
        manifestHash,
        policy: runPolicy,
        secretPatterns,
      }): ExecInput | VendorInput | BatonAgentInput => {
        if (execution.kind === 'agent') {
          return {
            agent: execution.name,
            task: envelope.task,
            agentModule: agentModule ?? null,
            manifestHash,
            policy: runPolicy,
            secretPatterns,
            secrets: envelope.secrets,
            maxCostUsd: envelope.budget.maxCostUsd,
            timeoutMs: envelope.budget.timeoutMs,
          };
        }
        if (execution.kind === 'vendor') {
          return {
            agent: execution.agent,
            task: envelope.task,
            manifestHash,
            policy: runPolicy,
            secretPatterns,
            secrets: envelope.secrets,
            maxCostUsd: envelope.budget.maxCostUsd,
          };
        }
        return {
          command: execution.command,
          manifestHash,
          policy: runPolicy,
          secretPatterns,
          ...(envelope.secrets.length > 0 && { secrets: envelope.secrets }),
        };
      },
    },
  );
  return { ...started, decision, envelopeHash: pinned };
}

async function requireBlob(store: Store, hash: string): Promise<Uint8Array> {
  return loadBlob(store, hash, 'checkpoint').catch(() => {
    throw new CheckpointIncompleteError([hash]);
  });
}
