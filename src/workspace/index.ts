// Public API of `baton-runtime/workspace`: governed runs on sandboxed copies of a git workspace.
// Every export here is public API, pinned by test/public-api.test.ts.
export type { SandboxLimits, SandboxPolicy } from '../core/sandbox-policy.js';
export type { PullOptions, PullResult } from '../governed/pull.js';
export { pullRun } from '../governed/pull.js';
export type { StartExecOptions, StartedExec } from '../governed/start-exec.js';
export { startExec } from '../governed/start-exec.js';
export type { StartWorkspaceRunOptions } from '../governed/workspace-run.js';
export { startWorkspaceRun } from '../governed/workspace-run.js';
export type { BlobStore } from '../store/blob-store.js';
export type { CaptureOptions } from './capture.js';
export { captureWorkspace } from './capture.js';
export {
  DetachedHeadError,
  EmptyRepositoryError,
  GitCommandError,
  MissingBlobError,
  NotAGitRepositoryError,
  NotARegularFileError,
  NotSupportedError,
  PatchConflictError,
  PatchTooLargeError,
  PathEscapeError,
  UnsafeSymlinkError,
  UntrustedPatchError,
} from './errors.js';
export type { DeniedReason, UntrackedEntry, WorkspaceManifest } from './manifest.js';
export { restoreWorkspace } from './restore.js';
export { DEFAULT_SANDBOX_LIMITS } from './sandbox/limits.js';
export type { SandboxPolicyOptions } from './sandbox/policy.js';
export { buildSandboxPolicy } from './sandbox/policy.js';
export { createBwrapSandbox, createUnsandboxed } from './sandbox/sandbox-exec.js';
export type { Sandbox, SandboxCommand, SandboxCommandLimits, SandboxResult } from './sandbox/types.js';
export type { WorkspaceSandboxOptions, WorkspaceToolsOptions } from './tools/workspace-tools.js';
export { workspaceTools } from './tools/workspace-tools.js';
