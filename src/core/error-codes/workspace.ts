import type { ErrorCodeEntry } from './error-code-entry.js';

/** Workspaces: capture, restore, patches, pull-back. */
export const WORKSPACE_ERROR_CODES = {
  git_missing: { domain: 'workspace', status: 500, description: 'git is not installed or not on PATH' },
  git_failed: {
    domain: 'workspace',
    status: 500,
    description: 'a git command failed (the message carries its stderr)',
  },
  git_output_too_large: {
    domain: 'workspace',
    status: 500,
    description: "a git command's output exceeded its limit",
  },
  not_a_git_repository: {
    domain: 'workspace',
    status: 400,
    description: 'the directory is not inside a git work tree',
  },
  unsafe_repository_owner: {
    domain: 'workspace',
    status: 400,
    description:
      "another user owns the repository and git's safe.directory does not list it for Baton's user",
  },
  empty_repository: {
    domain: 'workspace',
    status: 400,
    description: 'the repository has no commit to capture',
  },
  detached_head: { domain: 'workspace', status: 400, description: 'HEAD is detached; check out a branch' },
  path_escape: {
    domain: 'workspace',
    status: 400,
    description: "a path leads out of the workspace (or, for read_skill_file, out of the skill's folder)",
  },
  file_too_large: {
    domain: 'workspace',
    status: 413,
    description:
      'write_file or edit_file would leave a file past 10 MiB, or edit_file met one; or read_skill_file met a file past 256 KiB',
  },
  not_a_regular_file: {
    domain: 'workspace',
    status: 400,
    description: 'a path names something other than a regular file',
  },
  unsafe_symlink: {
    domain: 'workspace',
    status: 400,
    description:
      'a patch adds a symlink out of the repository or into .git (pull with --allow-outside-symlinks)',
  },
  directory_not_empty: {
    domain: 'workspace',
    status: 400,
    description: 'a restore target directory, or the directory of baton init without --force, is not empty',
  },
  base_not_found: {
    domain: 'workspace',
    status: 400,
    description: "the run's base commit is not in this repository",
  },
  branch_exists: { domain: 'workspace', status: 409, description: 'branch baton/<runId> already exists' },
  no_patch: {
    domain: 'workspace',
    status: 409,
    description: 'the run has no workspace patch: not a workspace run, or not finished',
  },
  empty_patch: {
    domain: 'workspace',
    status: 400,
    description: 'the run changed nothing: there is nothing to pull',
  },
  patch_untrusted: {
    domain: 'workspace',
    status: 500,
    description: "the run's log, receipt or patch did not verify; nothing was applied",
  },
  patch_does_not_apply: {
    domain: 'workspace',
    status: 500,
    description: "the patch does not apply to the run's starting state",
  },
  patch_too_large: {
    domain: 'workspace',
    status: 500,
    description: "the run's patch exceeds its limit (--max-patch); the message names the largest files",
  },
  blob_missing: { domain: 'workspace', status: 500, description: 'a blob the run needs is not in the store' },
  not_supported: {
    domain: 'workspace',
    status: 500,
    description: 'the request needs what this setup cannot do (allowed hosts without the bwrap sandbox)',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
