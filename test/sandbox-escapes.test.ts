import { rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import {
  type HidingOutcome,
  hiddenPaths,
  type PlantOutcome,
  plantGitThroughExec,
  plantGitThroughWriteFile,
  SCENARIO_SECRET,
  type ToolchainOutcome,
  toolchainThroughPathSymlink,
} from './fixtures/sandbox-scenarios.js';
import {
  ORDINARY_USER_UNAVAILABLE,
  RUNNING_AS_ROOT,
  runScenarioAsOrdinaryUser,
} from './helpers/as-nobody.js';

// Each scenario runs as the user of the suite (root here) and as an ordinary user (`nobody`);
// the latter skips, with the reason in its name, only where that user cannot run bwrap at all.
const users = [
  {
    name: RUNNING_AS_ROOT ? 'as root' : 'as this user',
    run: (scenario: (root: string) => Promise<unknown>, _name: string, root: string) => scenario(root),
    unavailable: undefined,
  },
  {
    name: `as an ordinary user${ORDINARY_USER_UNAVAILABLE ? ` (skipped: ${ORDINARY_USER_UNAVAILABLE})` : ''}`,
    run: (_scenario: unknown, name: string, root: string) => runScenarioAsOrdinaryUser(name, root),
    unavailable: ORDINARY_USER_UNAVAILABLE,
  },
];

describe.each(users)('sandbox escapes $name', ({ run, unavailable }) => {
  const it = unavailable === undefined ? test : test.skip;
  const roots: string[] = [];
  const freshRoot = () => {
    const root = outsideTmpDir('baton-escape-');
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('never runs git configuration, hooks, filters or drivers planted by a sandboxed command on the host', async () => {
    const outcome = (await run(plantGitThroughExec, 'plantGitThroughExec', freshRoot())) as PlantOutcome;
    expect(outcome.markers).toEqual([]);
    expect(outcome.leaked).toBe(false);
    expect(outcome.status).toBe('succeeded');
    // a.txt, new.txt and the planted .gitattributes; the nested repository is left out.
    expect(outcome.patchFiles).toBe(3);
    // git still reads the repository inside the sandbox.
    expect(outcome.outputs).toContain('initial');
  }, 120_000);

  it('never runs git configuration or hooks an agent wrote with write_file in a workspace run', async () => {
    const outcome = (await run(
      plantGitThroughWriteFile,
      'plantGitThroughWriteFile',
      freshRoot(),
    )) as PlantOutcome;
    expect(outcome.markers).toEqual([]);
    expect(outcome.leaked).toBe(false);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.patchFiles).toBe(2);
    expect(outcome.outputs).toContain('initial');
  }, 120_000);

  it('hides the repository, its main worktree and git dir, the Baton home, the store and HOME by real path', async () => {
    const outcome = (await run(hiddenPaths, 'hiddenPaths', freshRoot())) as HidingOutcome;
    expect(outcome.status).toBe('succeeded');
    expect(outcome.output).toContain('public-marker');
    expect(outcome.output).toContain('HOME=/tmp/home');
    for (const secret of outcome.secrets) expect(outcome.output).not.toContain(secret);
    expect(outcome.output).not.toContain(SCENARIO_SECRET);
  }, 120_000);

  it('runs toolchains reached through PATH (and its symlinks) without showing the files beside their bin/', async () => {
    const outcome = (await run(
      toolchainThroughPathSymlink,
      'toolchainThroughPathSymlink',
      freshRoot(),
    )) as ToolchainOutcome;
    expect(outcome.status).toBe('succeeded');
    expect(outcome.output).toContain('project-tool-ran');
    expect(outcome.output).toContain('cargo-tool-ran');
    for (const secret of outcome.secrets) expect(outcome.output).not.toContain(secret);
    // `ls` of the project and of ~/.cargo lists their toolchain directories only.
    expect(outcome.output).not.toMatch(/^(\.env|credentials|credentials\.toml|\.npmrc)$/m);
  }, 120_000);
});
