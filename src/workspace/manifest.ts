import { hashCanonical } from '../core/hash.js';

/** Why a file was left out of a capture. */
export type DeniedReason = 'secret' | 'not_allowlisted' | 'too_large' | 'not_a_regular_file';

/** An untracked file captured as a blob. */
export interface UntrackedEntry {
  path: string;
  hash: string;
  bytes: number;
}

/**
 * What `captureWorkspace` records. Content lives in blobs: the bundle of `HEAD`, the binary
 * diff of tracked changes, one blob per untracked file. Paths are repository-relative, `/`-separated.
 */
export interface WorkspaceManifest {
  /** Format version of this manifest. */
  version: 1;
  /** The commit `HEAD` pointed at (`git rev-parse HEAD`). */
  baseRef: string;
  /** The branch `HEAD` was on, restored under the same name. */
  branch: string;
  bundleHash: string;
  /** Absent when the tracked files were clean. */
  diffHash?: string;
  untracked: UntrackedEntry[];
  denied: { path: string; reason: DeniedReason }[];
}

/** The manifest's identity: sha256 of its canonical JSON (equal to its blob hash). */
export function manifestHash(manifest: WorkspaceManifest): string {
  return hashCanonical(manifest);
}
