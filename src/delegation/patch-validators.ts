import picomatch from 'picomatch';
import { diffStats } from './diff-stats.js';
import { findSecrets } from './secret-scan.js';

/** The outcome of one validation check. `message` says why a check failed, or what passed. */
export interface CheckResult {
  name: 'non-empty' | 'forbidden-paths' | 'max-diff-lines' | 'no-secrets' | 'test' | 'typecheck';
  ok: boolean;
  message: string;
}

/** A candidate patch's validation: `passed` only when every check passed. */
export interface PatchValidation {
  passed: boolean;
  checks: CheckResult[];
  files: string[];
  /** Insertions plus deletions. */
  diffLines: number;
}

/** The mechanical limits of a coder task (`config` of `delegate_code`). */
export interface PatchRules {
  forbiddenPaths?: readonly string[];
  maxDiffLines?: number;
}

/** What a sandboxed command reported: the subset of the sandbox result the checks read. */
export interface CommandOutcome {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const OUTPUT_TAIL_CHARS = 2000;

/**
 * A path is forbidden when it equals a pattern, lies under it as a directory (`secrets` or
 * `secrets/`), or matches it as a glob (`**\/*.pem`).
 */
export function isForbiddenPath(path: string, patterns: readonly string[]): boolean {
  return patterns.some((raw) => {
    const pattern = raw.replace(/^\.\//, '');
    const directory = pattern.replace(/\/+$/, '');
    return (
      path === directory ||
      path.startsWith(`${directory}/`) ||
      picomatch.isMatch(path, pattern, { dot: true })
    );
  });
}

/** The mechanical checks that read only the diff text. */
export function checkPatch(patch: string, rules: PatchRules): PatchValidation {
  const stats = diffStats(patch);
  const diffLines = stats.insertions + stats.deletions;
  const checks: CheckResult[] = [];
  checks.push(
    stats.files.length > 0
      ? { name: 'non-empty', ok: true, message: `${stats.files.length} file(s) changed` }
      : { name: 'non-empty', ok: false, message: 'the patch is empty (no-op)' },
  );
  const forbidden = stats.files.filter((file) => isForbiddenPath(file, rules.forbiddenPaths ?? []));
  checks.push(
    forbidden.length === 0
      ? { name: 'forbidden-paths', ok: true, message: 'no forbidden path touched' }
      : { name: 'forbidden-paths', ok: false, message: `forbidden path(s) touched: ${forbidden.join(', ')}` },
  );
  if (rules.maxDiffLines !== undefined) {
    checks.push(
      diffLines <= rules.maxDiffLines
        ? {
            name: 'max-diff-lines',
            ok: true,
            message: `${diffLines} diff line(s) within ${rules.maxDiffLines}`,
          }
        : {
            name: 'max-diff-lines',
            ok: false,
            message: `${diffLines} diff lines exceed maxDiffLines ${rules.maxDiffLines}`,
          },
    );
  }
  const secrets = findSecrets(stats.added);
  checks.push(
    secrets.length === 0
      ? { name: 'no-secrets', ok: true, message: 'no secret in the added lines' }
      : {
          name: 'no-secrets',
          ok: false,
          message: `secret(s) in added lines: ${secrets.map((found) => `${found.pattern} at ${found.file}:${found.line}`).join(', ')}`,
        },
  );
  return { passed: checks.every((check) => check.ok), checks, files: stats.files, diffLines };
}

/** A check from a sandboxed command (`testCmd`, `typecheckCmd`): passes on exit code 0. */
export function commandCheck(
  name: 'test' | 'typecheck',
  command: string,
  outcome: CommandOutcome,
): CheckResult {
  if (outcome.exitCode === 0 && !outcome.timedOut) return { name, ok: true, message: `${command} passed` };
  const why = outcome.timedOut ? 'timed out' : `exited with ${outcome.exitCode ?? 'a signal'}`;
  const tail = `${outcome.stdout}${outcome.stderr}`.slice(-OUTPUT_TAIL_CHARS);
  return { name, ok: false, message: `${command} ${why}${tail ? `:\n${tail}` : ''}` };
}

/** Adds command checks to a diff validation and recomputes `passed`. */
export function withChecks(validation: PatchValidation, extra: readonly CheckResult[]): PatchValidation {
  const checks = [...validation.checks, ...extra];
  return { ...validation, checks, passed: checks.every((check) => check.ok) };
}
