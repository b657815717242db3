import type { Environment } from '../core/environment.js';
import { mapConcurrent } from '../core/map-concurrent.js';
import { decideHandoff, type HandoffDecision, type HandoffRequest } from '../governed/handoff/decide.js';
import { envelopeHash, type HandoffEnvelope } from '../governed/handoff/envelope.js';
import { PolicyDeniedError } from '../governed/handoff/errors.js';
import { type HandoffPolicy, handoffPolicySchema, localFirst } from '../governed/handoff/policy.js';
import type { HandoffSignals } from '../governed/handoff/signals.js';
import { DEFAULT_SANDBOX_LIMITS } from '../workspace/sandbox/limits.js';
import { agents, type HandoffAgent } from './agents.js';
import { type DisclosureReport, disclosureReport } from './disclosure.js';
import { type HandoffRun, handoffRun } from './handoff-run.js';
import { captureLocalCheckpoint, type LocalCheckpoint } from './local-checkpoint.js';
import { type PlaneConnection, planeClient } from './plane-client.js';
import { type ReviewResult, type ReviewStrategy, reviewRuns } from './review.js';
import type { HandoffTarget } from './targets.js';
import { type JournalableTool, journalToolset, type ToolJournalEntry } from './tool-journal.js';

/** A hand-off's budget: what the run may spend and how long it may take. */
export interface HandoffBudget {
  maxCostUsd?: number;
  timeoutMs?: number;
}

/** Options of {@link handoff} (and the defaults of {@link defineHandoffConfig}). */
export interface HandoffOptions {
  /** A directory inside the git work tree to hand off. */
  workspace: string;
  plane: PlaneConnection;
  /** Default `agents.mock()`. */
  agent?: HandoffAgent;
  /** Default `localFirst()`, which allows no pool: every hand-off is denied until one is allowed. */
  policy?: HandoffPolicy;
  /** Who asks, recorded in the envelope. */
  actor?: string;
  /** Names of secrets the plane should release to the pool (values never leave the plane). */
  secrets?: readonly string[];
  /** Hosts the sandboxed agent may reach through the egress proxy; none by default. */
  allowHosts?: readonly string[];
  /** Globs of untracked files to send; other untracked files stay (and are listed as denied). */
  allowUntracked?: readonly string[];
  budget?: HandoffBudget;
  /** Blob uploads in flight at once (default 8). */
  uploadConcurrency?: number;
  /** Told about every trace entry as it happens (the CLI prints progress from it). */
  onTrace?: (entry: HandoffTraceEntry) => void;
  /** The environment git runs in (default: the process environment). */
  hostEnv?: Environment;
}

/** What `continueIn` and `dryRun` are asked. */
export interface ContinueOptions {
  task: string;
  reason?: string;
  budget?: HandoffBudget;
  allowHosts?: readonly string[];
  secrets?: readonly string[];
}

/** An uploaded checkpoint, with the chain of checkpoints it follows. */
export interface Checkpoint {
  id: string;
  manifestHash: string;
  baseRef: string;
  branch: string;
  message: string | null;
  parent: string | null;
  /** Checkpoint ids from the first of this hand-off session to this one. */
  lineage: string[];
  /** Blobs sent (the plane lacked them) and skipped (it held them already), and the bytes sent. */
  upload: { sent: number; skipped: number; bytes: number };
}

/** The verdict of `plan`: what the policy decides for a target, and what it judged. */
export interface HandoffPlan extends HandoffDecision {
  target: HandoffTarget;
  request: HandoffRequest;
}

/** One thing the hand-off did, in order (`trace()`). */
export interface HandoffTraceEntry {
  at: string;
  type: 'tool' | 'requested' | 'decided' | 'captured' | 'uploaded' | 'submitted' | 'denied';
  data: Record<string, unknown>;
}

/** Counts and the latest state (`summary()`). */
export interface HandoffSummary {
  checkpoints: string[];
  toolCalls: number;
  toolFailures: number;
  continuationRequested: string | null;
  runs: string[];
  lastDecision: HandoffDecision | null;
}

/** The hand-off object of {@link handoff}. */
export interface Handoff {
  checkpoint(message?: string, options?: { transcript?: unknown }): Promise<Checkpoint>;
  plan(target: HandoffTarget, options?: Partial<ContinueOptions> & { parallel?: number }): HandoffPlan;
  needs(target: HandoffTarget): boolean;
  dryRun(target: HandoffTarget, options: ContinueOptions): Promise<DisclosureReport>;
  continueIn(target: HandoffTarget, options: ContinueOptions): Promise<HandoffRun>;
  parallel(
    tasks: readonly string[],
    target: HandoffTarget,
    options?: Omit<ContinueOptions, 'task'>,
  ): Promise<HandoffRun[]>;
  review(
    runs: readonly HandoffRun[],
    options: { choose: ReviewStrategy; timeoutMs?: number },
  ): Promise<ReviewResult>;
  tools<Toolset extends Record<string, JournalableTool>>(toolset: Toolset): Toolset;
  requestContinuation(reason: string): void;
  trace(): HandoffTraceEntry[];
  summary(): HandoffSummary;
  lastEnvelope(): HandoffEnvelope | undefined;
}

/** Checks and freezes hand-off defaults to spread into {@link handoff} (`handoff({ ...config, workspace })`). */
export function defineHandoffConfig<Config extends Partial<HandoffOptions>>(
  defaults: Config,
): Readonly<Config> {
  if (defaults.policy !== undefined) handoffPolicySchema.parse(defaults.policy);
  return Object.freeze({ ...defaults });
}

/** A tool named this in the journal marks the local model as escalated (`triggers.modelEscalated()`). */
export const ESCALATE_TOOL = 'escalate';

/**
 * Hands local work off to a pool of the plane when the policy allows it: capture, disclose,
 * decide, upload, submit, follow, pull back (docs/handoff.md). A denial throws
 * {@link PolicyDeniedError} before anything is captured or uploaded.
 */
export function handoff(options: HandoffOptions): Handoff {
  const policy = handoffPolicySchema.parse(options.policy ?? localFirst());
  const agent = options.agent ?? agents.mock();
  const client = planeClient(options.plane);
  const journal: ToolJournalEntry[] = [];
  const allCalls: ToolJournalEntry[] = [];
  const lineage: string[] = [];
  const runs: string[] = [];
  const traced: HandoffTraceEntry[] = [];
  let continuationRequested: string | null = null;
  let lastDecision: HandoffDecision | null = null;
  let last: HandoffEnvelope | undefined;

  const trace = (type: HandoffTraceEntry['type'], data: Record<string, unknown>) => {
    const entry = { at: new Date().toISOString(), type, data };
    traced.push(entry);
    options.onTrace?.(entry);
  };
  const signals = (reason?: string): HandoffSignals => ({
    continuationRequested: reason ?? continuationRequested,
    toolCalls: allCalls.map(({ name, ok, durationMs }) => ({ name, ok, durationMs })),
    modelEscalated: allCalls.some((call) => call.name === ESCALATE_TOOL),
  });
  const envelopeSignals = (reason: string): HandoffEnvelope['signals'] => {
    const { toolCalls, ...rest } = signals(reason);
    return { ...rest, toolCalls: [...toolCalls] };
  };
  const requestOf = (
    target: HandoffTarget,
    overrides: Partial<ContinueOptions>,
    parallel: number,
  ): HandoffRequest => ({
    pool: target.pool,
    budgetUsd: overrides.budget?.maxCostUsd ?? options.budget?.maxCostUsd ?? null,
    secrets: [...(overrides.secrets ?? options.secrets ?? [])],
    parallel,
  });
  const decide = (request: HandoffRequest, reason?: string) => {
    const decision = decideHandoff(policy, request, signals(reason));
    lastDecision = decision;
    trace('decided', { pool: request.pool, decision: decision.decision, reasons: decision.reasons });
    return decision;
  };
  const capture = (message: string | null, transcript: unknown) =>
    captureLocalCheckpoint({
      workspace: options.workspace,
      allowUntracked: options.allowUntracked ?? [],
      parent: lineage.at(-1) ?? null,
      message,
      journal: [...journal],
      transcript,
      ...(options.hostEnv && { hostEnv: options.hostEnv }),
    });
  const envelopeFor = (
    checkpoint: LocalCheckpoint,
    request: HandoffRequest,
    continueOptions: ContinueOptions,
    attempt: HandoffEnvelope['attempt'],
  ): HandoffEnvelope => {
    const hosts = [...(continueOptions.allowHosts ?? options.allowHosts ?? [])];
    return {
      version: 1,
      checkpoint: {
        id: checkpoint.id,
        manifestHash: checkpoint.record.manifestHash,
        baseRef: checkpoint.manifest.baseRef,
        parent: checkpoint.record.parent,
      },
      pool: request.pool,
      agent: agent.name,
      task: continueOptions.task,
      reason: continueOptions.reason ?? null,
      execution: agent.execution(continueOptions.task),
      network: { mode: hosts.length > 0 ? 'allowlist' : 'none', hosts },
      secrets: [...request.secrets],
      budget: {
        maxCostUsd: request.budgetUsd,
        timeoutMs:
          continueOptions.budget?.timeoutMs ?? options.budget?.timeoutMs ?? DEFAULT_SANDBOX_LIMITS.timeoutMs,
      },
      disclosure: policy.disclosure,
      policy,
      signals: envelopeSignals(
        continueOptions.reason ?? `continue in pool ${request.pool}: ${continueOptions.task}`,
      ),
      actor: options.actor ?? null,
      attempt,
    };
  };
  /** Uploads what the plane lacks, content first and the checkpoint record last. */
  const upload = async (checkpoint: LocalCheckpoint): Promise<Checkpoint> => {
    const content = checkpoint.blobs.filter((blob) => blob.kind !== 'checkpoint');
    const record = checkpoint.blobs.filter((blob) => blob.kind === 'checkpoint');
    let sent = 0;
    let bytes = 0;
    const send = async (hash: string) => {
      if (await client.hasBlob(hash)) return;
      const body = checkpoint.contents.get(hash) as Uint8Array;
      await client.putBlob(hash, body);
      sent += 1;
      bytes += body.byteLength;
    };
    await mapConcurrent(content, options.uploadConcurrency ?? 8, (blob) => send(blob.hash));
    for (const blob of record) await send(blob.hash);
    if (lineage.at(-1) !== checkpoint.id) lineage.push(checkpoint.id);
    journal.length = 0;
    const upload = { sent, skipped: checkpoint.blobs.length - sent, bytes };
    trace('uploaded', { checkpoint: checkpoint.id, ...upload });
    return {
      id: checkpoint.id,
      manifestHash: checkpoint.record.manifestHash,
      baseRef: checkpoint.manifest.baseRef,
      branch: checkpoint.manifest.branch,
      message: checkpoint.record.message,
      parent: checkpoint.record.parent,
      lineage: [...lineage],
      upload,
    };
  };
  const submit = async (envelope: HandoffEnvelope): Promise<HandoffRun> => {
    last = envelope;
    const submitted = await client.submit(envelope).catch((error: unknown) => {
      if (error instanceof PolicyDeniedError) trace('denied', { by: 'plane', reasons: error.reasons });
      throw error;
    });
    runs.push(submitted.runId);
    trace('submitted', {
      runId: submitted.runId,
      contractHash: submitted.contractHash,
      envelopeHash: submitted.envelopeHash,
    });
    return handoffRun({
      client,
      ...submitted,
      workspace: options.workspace,
      ...(options.hostEnv && { hostEnv: options.hostEnv }),
    });
  };
  const requireContinue = (request: HandoffRequest, reason: string) => {
    const decision = decide(request, reason);
    if (decision.decision === 'deny') {
      trace('denied', { by: 'policy', reasons: decision.reasons });
      throw new PolicyDeniedError(decision.reasons);
    }
  };

  return {
    async checkpoint(message, checkpointOptions = {}) {
      const local = await capture(message ?? null, checkpointOptions.transcript);
      trace('captured', { checkpoint: local.id, blobs: local.blobs.length });
      return upload(local);
    },
    plan(target, planOptions = {}) {
      const request = requestOf(target, planOptions, planOptions.parallel ?? 1);
      const decision = decideHandoff(policy, request, signals());
      return { ...decision, target, request };
    },
    needs(target) {
      const plan = this.plan(target);
      return plan.decision === 'continue' && plan.firedTriggers.length > 0;
    },
    async dryRun(target, continueOptions) {
      const request = requestOf(target, continueOptions, 1);
      const local = await capture(null, undefined);
      const envelope = envelopeFor(local, request, continueOptions, { index: 0, of: 1 });
      const decision = decideHandoff(policy, request, envelope.signals);
      return disclosureReport({
        checkpoint: local,
        envelope,
        envelopeHash: envelopeHash(envelope),
        decision,
        workspace: options.workspace,
        allowUntracked: options.allowUntracked ?? [],
        ...(options.hostEnv && { hostEnv: options.hostEnv }),
      });
    },
    async continueIn(target, continueOptions) {
      const request = requestOf(target, continueOptions, 1);
      requireContinue(
        request,
        continueOptions.reason ?? `continue in pool ${request.pool}: ${continueOptions.task}`,
      );
      const local = await capture(null, undefined);
      trace('captured', { checkpoint: local.id, blobs: local.blobs.length });
      await upload(local);
      return submit(envelopeFor(local, request, continueOptions, { index: 0, of: 1 }));
    },
    async parallel(tasks, target, parallelOptions = {}) {
      const request = requestOf(target, parallelOptions, tasks.length);
      requireContinue(
        request,
        parallelOptions.reason ?? `${tasks.length} parallel attempts in pool ${request.pool}`,
      );
      const local = await capture(null, undefined);
      trace('captured', { checkpoint: local.id, blobs: local.blobs.length });
      await upload(local);
      const started: HandoffRun[] = [];
      for (const [index, task] of tasks.entries()) {
        started.push(
          await submit(
            envelopeFor(local, request, { ...parallelOptions, task }, { index, of: tasks.length }),
          ),
        );
      }
      return started;
    },
    review: (candidates, reviewOptions) =>
      reviewRuns(candidates, reviewOptions.choose, {
        ...(reviewOptions.timeoutMs !== undefined && { timeoutMs: reviewOptions.timeoutMs }),
      }),
    tools: (toolset) =>
      journalToolset(toolset, (entry) => {
        journal.push(entry);
        allCalls.push(entry);
        trace('tool', { name: entry.name, ok: entry.ok, durationMs: entry.durationMs });
      }),
    requestContinuation(reason) {
      continuationRequested = reason;
      trace('requested', { reason });
    },
    trace: () => traced.map((entry) => ({ ...entry, data: { ...entry.data } })),
    summary: () => ({
      checkpoints: [...lineage],
      toolCalls: allCalls.length,
      toolFailures: allCalls.filter((call) => !call.ok).length,
      continuationRequested,
      runs: [...runs],
      lastDecision,
    }),
    lastEnvelope: () => last,
  };
}
