import { describe, expect, it } from 'vitest';
import { checkPatch, commandCheck, isForbiddenPath, withChecks } from './patch-validators.js';

function patchOf(file: string, added: string[], removed: string[] = []): string {
  return [
    `diff --git a/${file} b/${file}`,
    'index 0000000..1111111 100644',
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -1,${removed.length + 1} +1,${added.length + 1} @@`,
    ' context',
    ...removed.map((line) => `-${line}`),
    ...added.map((line) => `+${line}`),
    '',
  ].join('\n');
}

function failed(patch: string, rules = {}): string[] {
  return checkPatch(patch, rules)
    .checks.filter((check) => !check.ok)
    .map((check) => check.name);
}

describe('checkPatch', () => {
  it('passes a small clean patch and counts its lines', () => {
    const validation = checkPatch(patchOf('src/a.ts', ['one', 'two'], ['old']), { maxDiffLines: 10 });
    expect(validation.passed).toBe(true);
    expect(validation.diffLines).toBe(3);
    expect(validation.files).toEqual(['src/a.ts']);
  });

  it('rejects an empty patch as a no-op', () => {
    expect(failed('')).toEqual(['non-empty']);
  });

  it('rejects a patch touching a forbidden directory or glob', () => {
    expect(failed(patchOf('secrets/prod.json', ['x']), { forbiddenPaths: ['secrets/'] })).toEqual([
      'forbidden-paths',
    ]);
    expect(failed(patchOf('config/key.pem', ['x']), { forbiddenPaths: ['**/*.pem'] })).toEqual([
      'forbidden-paths',
    ]);
    expect(failed(patchOf('secretsmith/a.ts', ['x']), { forbiddenPaths: ['secrets'] })).toEqual([]);
  });

  it('rejects a diff larger than maxDiffLines', () => {
    expect(failed(patchOf('a.ts', ['1', '2', '3']), { maxDiffLines: 2 })).toEqual(['max-diff-lines']);
  });

  it('rejects added secrets, naming the pattern and line but not the secret', () => {
    const key = `AKIA${'A'.repeat(16)}`;
    const validation = checkPatch(patchOf('a.ts', ['safe', `const id = "${key}";`]), {});
    const check = validation.checks.find((candidate) => candidate.name === 'no-secrets');
    expect(check?.ok).toBe(false);
    expect(check?.message).toContain('aws-access-key-id at a.ts:3');
    expect(check?.message).not.toContain(key);
  });

  it('ignores secrets on removed lines', () => {
    expect(failed(patchOf('a.ts', ['safe'], [`password = "hunter2hunter2"`]))).toEqual([]);
  });
});

describe('command checks', () => {
  it('passes on exit 0 and fails with the output tail otherwise', () => {
    expect(
      commandCheck('test', 'npm test', { exitCode: 0, timedOut: false, stdout: '', stderr: '' }).ok,
    ).toBe(true);
    const failure = commandCheck('test', 'npm test', {
      exitCode: 1,
      timedOut: false,
      stdout: '1 failing',
      stderr: '',
    });
    expect(failure).toEqual({ name: 'test', ok: false, message: 'npm test exited with 1:\n1 failing' });
    expect(
      commandCheck('typecheck', 'tsc', { exitCode: null, timedOut: true, stdout: '', stderr: '' }).message,
    ).toBe('tsc timed out');
  });

  it('recomputes passed when command checks are added', () => {
    const base = checkPatch(patchOf('a.ts', ['x']), {});
    const withFailure = withChecks(base, [{ name: 'test', ok: false, message: 'no' }]);
    expect(base.passed).toBe(true);
    expect(withFailure.passed).toBe(false);
  });
});

describe('isForbiddenPath', () => {
  it('matches exact files, directories and globs', () => {
    expect(isForbiddenPath('.env', ['.env'])).toBe(true);
    expect(isForbiddenPath('deploy/prod/app.yaml', ['./deploy'])).toBe(true);
    expect(isForbiddenPath('src/deploy.ts', ['deploy'])).toBe(false);
  });
});
