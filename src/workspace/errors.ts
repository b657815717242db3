import { BatonError, LimitExceededError, UserError } from '../core/errors.js';

/** The directory given as a workspace is not inside a git work tree. */
export class NotAGitRepositoryError extends UserError {
  constructor(dir: string) {
    super(
      'not_a_git_repository',
      `${dir} is not inside a git work tree; a workspace must be a git repository`,
    );
  }
}

/**
 * git refuses the repository because another user owns it (git's `safe.directory` check): as
 * when Baton runs as a service user such as `nobody` over a checkout someone else made.
 */
export class UnsafeRepositoryOwnerError extends UserError {
  constructor(dir: string) {
    super(
      'unsafe_repository_owner',
      `git refuses the repository at ${dir}: another user owns it (git's safe.directory check). Run Baton as its owner, or mark it safe for the user Baton runs as: \`git config --global --add safe.directory ${dir}\`, or, for a user without a HOME, GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=${dir} in Baton's environment`,
    );
  }
}

/** The repository has no commit yet, so there is no base ref to capture against. */
export class EmptyRepositoryError extends UserError {
  constructor(dir: string) {
    super('empty_repository', `the repository at ${dir} has no commits; commit once before capturing it`);
  }
}

/** HEAD is detached; a capture needs a branch so that restore and pull-back can name it. */
export class DetachedHeadError extends UserError {
  constructor(dir: string) {
    super(
      'detached_head',
      `HEAD of the repository at ${dir} is detached; check out a branch before capturing it`,
    );
  }
}

/** A path given to a workspace tool or found in a manifest leaves the workspace root. */
export class PathEscapeError extends UserError {
  constructor(path: string) {
    super('path_escape', `path ${JSON.stringify(path)} escapes the workspace root`);
  }
}

/** A workspace tool was pointed at a FIFO, socket or device: opening one could block the worker. */
export class NotARegularFileError extends UserError {
  constructor(path: string, kind: string) {
    super('not_a_regular_file', `${JSON.stringify(path)} is a ${kind}, not a regular file`);
  }
}

/** The git subcommand of an argument list, past `-c key=value` pins. */
function subcommand(args: readonly string[]): string {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-c') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** A git command failed; `stderr` is its (trimmed) error output. */
export class GitCommandError extends BatonError {
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(
      'git_failed',
      `git ${subcommand(args)} failed (exit ${exitCode}): ${stderr.trim().split('\n')[0] ?? ''}`,
    );
    this.stderr = stderr.trim();
  }
}

/** A git command printed more than the caller allowed; it was killed. */
export class GitOutputTooLargeError extends BatonError {
  constructor(args: readonly string[], maxBytes: number) {
    super(
      'git_output_too_large',
      `git ${args.find((arg) => !arg.startsWith('-')) ?? ''} printed more than ${maxBytes} bytes`,
    );
  }
}

/** A run's patch is larger than its policy allows (`limits.patchBytes`); the run fails. */
export class PatchTooLargeError extends LimitExceededError {
  readonly largestFiles: readonly { path: string; bytes: number }[];

  constructor(maxBytes: number, largestFiles: readonly { path: string; bytes: number }[]) {
    const names = largestFiles.map((file) => `${file.path} (${file.bytes} bytes)`).join(', ');
    super(
      'patch_too_large',
      `the patch is larger than the limit of ${maxBytes} bytes; largest files: ${names || '(none)'}`,
    );
    this.largestFiles = largestFiles;
  }
}

/** A patch adds a symlink that points outside the repository or into `.git`; nothing was applied. */
export class UnsafeSymlinkError extends UserError {
  readonly symlinks: readonly { path: string; target: string }[];

  constructor(symlinks: readonly { path: string; target: string }[]) {
    const list = symlinks.map((link) => `${link.path} -> ${link.target}`).join(', ');
    super(
      'unsafe_symlink',
      `the patch adds symlinks that point outside the repository or into .git (${list}); nothing was applied (pass --allow-outside-symlinks to apply it anyway)`,
    );
    this.symlinks = symlinks;
  }
}

/** A run's recorded patch cannot be trusted: its log chain is broken or its blob is not the one the receipt pins. */
export class UntrustedPatchError extends BatonError {
  constructor(message: string) {
    super('patch_untrusted', `${message}; nothing was applied`);
  }
}

/** A patch does not apply onto its base; nothing was changed. */
export class PatchConflictError extends BatonError {
  constructor(detail: string) {
    super('patch_does_not_apply', `the patch does not apply: ${detail}`);
  }
}

/** A blob a manifest or run refers to is missing from the store, or its bytes do not match its hash. */
export class MissingBlobError extends BatonError {
  constructor(hash: string, what: string) {
    super('blob_missing', `${what} blob ${hash} is missing from the store or corrupt`);
  }
}

/** A requested capability exists in the design but not in this build (e.g. `allowHosts`). */
export class NotSupportedError extends BatonError {
  constructor(message: string) {
    super('not_supported', message);
  }
}

/**
 * `write_file` or `edit_file` would leave a file larger than the tools handle (or `edit_file` met
 * one): refused before anything is written, so a model cannot fill the disk or the worker's heap.
 */
export class FileTooLargeError extends LimitExceededError {
  constructor(path: string, bytes: number, maxBytes: number) {
    super(
      'file_too_large',
      `${JSON.stringify(path)} would be ${bytes} bytes; workspace tools write and edit files of at most ${maxBytes} bytes`,
    );
  }
}
