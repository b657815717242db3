import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';

describe('baton exec hides what the CLI itself uses (finding 3)', () => {
  let outside = '';
  let repo: TempRepo;
  beforeEach(() => {
    outside = outsideTmpDir('baton-cli-hiding-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    chmodSync(repo.dir, 0o755);
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('hides BATON_HOME and --db in different folders, each reached through a symlink, by real path', async () => {
    for (const dir of ['home-real', 'db-real']) {
      mkdirSync(join(outside, dir));
      chmodSync(join(outside, dir), 0o755);
    }
    symlinkSync(join(outside, 'home-real'), join(outside, 'home-link'));
    symlinkSync(join(outside, 'db-real'), join(outside, 'db-link'));
    writeFileSync(join(outside, 'public.txt'), 'public-marker\n');
    const script = [
      `cat ${join(outside, 'public.txt')}`,
      `ls -A ${join(outside, 'home-real')} ${join(outside, 'home-link')}/ ${join(outside, 'db-real')} ${join(outside, 'db-link')}/`,
      `head -c 16 ${join(outside, 'db-real', 'baton.db')}`,
      `cat ${join(outside, 'home-real', 'keys', 'ed25519.key.pem')}`,
      'true',
    ].join('; ');
    const exec = await runCli(
      ['exec', '--db', join(outside, 'db-link', 'baton.db'), '--read', outside, '--', 'sh', '-c', script],
      { cwd: repo.dir, env: { BATON_HOME: join(outside, 'home-link') } },
    );
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain('public-marker');
    for (const secret of ['keys', 'baton.db', 'SQLite format', 'PRIVATE KEY', '.gitignore'])
      expect(exec.stdout).not.toContain(secret);
  }, 120_000);
});
