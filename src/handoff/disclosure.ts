import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processEnvironment } from '../config/process-environment.js';
import type { Environment } from '../core/environment.js';
import { sha256Hex } from '../core/hash.js';
import type { HandoffDecision } from '../governed/handoff/decide.js';
import type { HandoffEnvelope } from '../governed/handoff/envelope.js';
import { git, splitNul } from '../workspace/git.js';
import type { DeniedReason } from '../workspace/manifest.js';
import { inspectRepository } from '../workspace/repository.js';
import { globMatcher } from '../workspace/secret-patterns.js';
import type { CheckpointBlob, LocalCheckpoint } from './local-checkpoint.js';

/** A file that would move to the pool, and why. */
export interface DisclosedFile {
  path: string;
  /** Its size in the work tree (0 for a deleted file). */
  bytes: number;
  /** sha256 of its content in the work tree; null for a deleted file. */
  hash: string | null;
  why: string;
}

/** A file that stays on the laptop, and why. */
export interface DeniedFile {
  path: string;
  reason: DeniedReason;
  why: string;
}

/** The disclosure report of `dryRun`: everything a hand-off would send, computed without sending it. */
export interface DisclosureReport {
  decision: 'continue' | 'deny';
  reasons: string[];
  firedTriggers: string[];
  pool: string;
  agent: string;
  task: string;
  baseRef: string;
  branch: string;
  /** `full`: every file is listed; `summary`: only `fileCount` and the totals. */
  disclosure: 'full' | 'summary';
  files: DisclosedFile[];
  fileCount: number;
  denied: DeniedFile[];
  /** Every blob the hand-off would upload (the checkpoint's), with its kind and size. */
  blobs: CheckpointBlob[];
  /** The sum of the blobs' sizes: what the upload would move at most. */
  bundleBytes: number;
  hosts: string[];
  /** Names only: values never leave the plane. */
  secrets: string[];
  budget: HandoffEnvelope['budget'];
  checkpointId: string;
  envelopeHash: string;
}

const DENIED_WHY: Record<DeniedReason, string> = {
  secret: 'matches a secret pattern (.env*, *.pem, *.key, id_rsa*, credentials): never captured',
  not_allowlisted: 'untracked and not matched by allowUntracked',
  too_large: 'untracked and larger than the capture limit',
  not_a_regular_file: 'untracked and not a regular file',
};

/** Builds the report from a checkpoint captured in memory and the envelope that would be sent. */
export async function disclosureReport(options: {
  checkpoint: LocalCheckpoint;
  envelope: HandoffEnvelope;
  envelopeHash: string;
  decision: HandoffDecision;
  workspace: string;
  allowUntracked: readonly string[];
  hostEnv?: Environment;
}): Promise<DisclosureReport> {
  const { checkpoint, envelope } = options;
  const { manifest } = checkpoint;
  const files = [
    ...(await trackedChanges(
      options.workspace,
      new Set(manifest.denied.map((entry) => entry.path)),
      options.hostEnv,
    )),
    ...manifest.untracked.map((entry) => ({
      path: entry.path,
      bytes: entry.bytes,
      hash: entry.hash,
      why: `untracked, allowlisted by ${allowingGlob(entry.path, options.allowUntracked)}`,
    })),
  ].sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  const full = envelope.disclosure === 'full';
  return {
    decision: options.decision.decision,
    reasons: options.decision.reasons,
    firedTriggers: options.decision.firedTriggers,
    pool: envelope.pool,
    agent: envelope.agent,
    task: envelope.task,
    baseRef: manifest.baseRef,
    branch: manifest.branch,
    disclosure: envelope.disclosure,
    files: full ? files : [],
    fileCount: files.length,
    denied: manifest.denied.map((entry) => ({ ...entry, why: DENIED_WHY[entry.reason] })),
    blobs: checkpoint.blobs,
    bundleBytes: checkpoint.blobs.reduce((sum, blob) => sum + blob.bytes, 0),
    hosts: envelope.network.hosts,
    secrets: envelope.secrets,
    budget: envelope.budget,
    checkpointId: checkpoint.id,
    envelopeHash: options.envelopeHash,
  };
}

/** The tracked files the diff carries, with their work-tree content hash. */
async function trackedChanges(
  workspace: string,
  denied: ReadonlySet<string>,
  hostEnv: Environment | undefined,
): Promise<DisclosedFile[]> {
  const scope = { hostEnv: hostEnv ?? processEnvironment() };
  const { root } = await inspectRepository(workspace, scope);
  const listing = await git(['diff', '--name-only', '--no-renames', '-z', 'HEAD'], { cwd: root, ...scope });
  const files: DisclosedFile[] = [];
  for (const path of splitNul(listing.stdout)) {
    if (denied.has(path)) continue;
    // A changed path that no longer exists is a deletion the diff carries.
    const stats = await lstat(join(root, path)).catch(() => undefined);
    if (stats === undefined) {
      files.push({ path, bytes: 0, hash: null, why: 'tracked, deleted (in the diff against the base ref)' });
      continue;
    }
    const bytes = stats.isFile() ? await readFile(join(root, path)) : Buffer.alloc(0);
    files.push({
      path,
      bytes: bytes.length,
      hash: sha256Hex(bytes),
      why: 'tracked, changed (in the diff against the base ref)',
    });
  }
  return files;
}

function allowingGlob(path: string, globs: readonly string[]): string {
  const glob = globs.find((candidate) => globMatcher([candidate])(path));
  return glob === undefined ? 'allowUntracked' : JSON.stringify(glob);
}
