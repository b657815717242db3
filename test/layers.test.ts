import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectProcess, REPO_ROOT } from './helpers/cli.js';

const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs the layer lint (the repository's `.dependency-cruiser.cjs`) over a tree of modules written to `dir`. */
async function lintTree(dir: string, files: Record<string, string>) {
  copyFileSync(join(REPO_ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const child = spawn(
    process.execPath,
    [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return collectProcess(child);
}

describe('the layer lint (.dependency-cruiser.cjs)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-layers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes downward imports and fails a type-only import of a run kind from the runtime', async () => {
    const clean = await lintTree(dir, {
      'src/core/ids.ts': 'export const id = 1;\n',
      'src/runtime/run.ts': "import { id } from '../core/ids.js';\nexport const run = id;\n",
      'src/governed/kind.ts': "import { run } from '../runtime/run.js';\nexport type Kind = typeof run;\n",
    });
    expect(clean.code, clean.stdout).toBe(0);
    const planted = await lintTree(dir, {
      'src/runtime/planted.ts':
        "import type { Kind } from '../governed/kind.js';\nexport type Planted = Kind;\n",
    });
    expect(planted.code).not.toBe(0);
    expect(planted.stdout).toContain('no-upward-from-runtime: src/runtime/planted.ts → src/governed/kind.ts');
  });

  it('fails an import between the folders of one layer, a circle of type imports and a module outside every layer', async () => {
    const result = await lintTree(dir, {
      'src/workspace/restore.ts': 'export const restore = 1;\n',
      'src/proof/issue.ts':
        "import { restore } from '../workspace/restore.js';\nexport const issue = restore;\n",
      'src/runtime/a.ts': "import type { B } from './b.js';\nexport type A = B | 1;\n",
      'src/runtime/b.ts': "import type { A } from './a.js';\nexport type B = A | 2;\n",
      'src/stray/thing.ts': 'export const thing = 1;\n',
      'src/core/uses-stray.ts': "import { thing } from '../stray/thing.js';\nexport const used = thing;\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('no-sideways-from-proof: src/proof/issue.ts → src/workspace/restore.ts');
    expect(result.stdout).toMatch(/no-circular: src\/runtime\/(a|b)\.ts/);
    expect(result.stdout).toContain('in-a-layer: src/core/uses-stray.ts → src/stray/thing.ts');
  });
});
