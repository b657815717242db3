import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyTool } from '../src/core/tool.js';
import { workspaceTools } from '../src/workspace/tools/workspace-tools.js';
import { callTool } from './helpers/tool-context.js';

describe('workspaceTools', () => {
  let base = '';
  let root = '';
  let tools: Map<string, AnyTool>;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'baton-tools-'));
    root = join(base, 'ws');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.ts'), 'const a = 1;\nconst b = 2;\n');
    writeFileSync(join(base, 'outside.txt'), 'outside secret\n');
    tools = new Map(workspaceTools(root).map((candidate) => [candidate.name, candidate]));
  });
  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
  });
  const call = async (name: string, input: unknown): Promise<unknown> => {
    const target = tools.get(name);
    if (!target) throw new Error(`no tool ${name}`);
    return callTool(target, input);
  };

  it('offers the six workspace tools', () => {
    expect([...tools.keys()]).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'list_files',
      'grep',
      'run_command',
    ]);
  });

  it('reads, writes into new directories, and lists files', async () => {
    expect(await call('read_file', { path: 'src/main.ts' })).toMatchObject({
      content: 'const a = 1;\nconst b = 2;\n',
    });
    await call('write_file', { path: 'docs/new/readme.md', content: '# hi\n' });
    expect(readFileSync(join(root, 'docs/new/readme.md'), 'utf8')).toBe('# hi\n');
    expect(await call('list_files', {})).toEqual({
      files: ['docs/new/readme.md', 'src/main.ts'],
      truncated: false,
    });
  });

  it('edits a file by replacing exactly one occurrence', async () => {
    await call('edit_file', { path: 'src/main.ts', old_string: 'const b = 2;', new_string: 'const b = 3;' });
    expect(readFileSync(join(root, 'src/main.ts'), 'utf8')).toBe('const a = 1;\nconst b = 3;\n');
  });

  it('fails an edit whose text occurs zero or several times', async () => {
    await expect(
      call('edit_file', { path: 'src/main.ts', old_string: 'missing', new_string: 'x' }),
    ).rejects.toMatchObject({
      code: 'edit_no_match',
    });
    await expect(
      call('edit_file', { path: 'src/main.ts', old_string: 'const', new_string: 'let' }),
    ).rejects.toMatchObject({
      code: 'edit_ambiguous',
    });
    expect(readFileSync(join(root, 'src/main.ts'), 'utf8')).toBe('const a = 1;\nconst b = 2;\n');
  });

  it('refuses to write or edit a file past 10 MiB, leaving the file as it was', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024 + 1);
    await expect(call('write_file', { path: 'big.txt', content: big })).rejects.toMatchObject({
      code: 'file_too_large',
    });
    expect(existsSync(join(root, 'big.txt'))).toBe(false);
    await expect(
      call('edit_file', { path: 'src/main.ts', old_string: 'const b = 2;', new_string: big }),
    ).rejects.toMatchObject({ code: 'file_too_large' });
    expect(readFileSync(join(root, 'src/main.ts'), 'utf8')).toBe('const a = 1;\nconst b = 2;\n');
    writeFileSync(join(root, 'huge.txt'), `${big}needle`);
    await expect(
      call('edit_file', { path: 'huge.txt', old_string: 'needle', new_string: 'pin' }),
    ).rejects.toMatchObject({ code: 'file_too_large' });
    expect(readFileSync(join(root, 'huge.txt'), 'utf8').endsWith('needle')).toBe(true);
  });

  it('greps with a regular expression and a glob', async () => {
    writeFileSync(join(root, 'notes.md'), 'const in markdown\n');
    expect(await call('grep', { pattern: 'b = \\d', glob: '**/*.ts' })).toEqual({
      matches: [{ path: 'src/main.ts', line: 2, text: 'const b = 2;' }],
      truncated: false,
    });
    await expect(call('grep', { pattern: '(' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('rejects paths that escape the root with .., absolute paths or symlinks', async () => {
    symlinkSync(join(base, 'outside.txt'), join(root, 'link.txt'));
    symlinkSync(base, join(root, 'linkdir'));
    for (const path of ['../outside.txt', join(base, 'outside.txt'), 'link.txt', 'linkdir/outside.txt']) {
      await expect(call('read_file', { path })).rejects.toMatchObject({ code: 'path_escape' });
    }
    await expect(call('write_file', { path: 'linkdir/planted.txt', content: 'x' })).rejects.toMatchObject({
      code: 'path_escape',
    });
    await expect(call('list_files', { path: '..' })).rejects.toMatchObject({ code: 'path_escape' });
    await expect(call('grep', { pattern: 'secret', path: 'linkdir' })).rejects.toMatchObject({
      code: 'path_escape',
    });
  });

  it('runs commands in the sandbox, confined to the workspace', async () => {
    const result = await call('run_command', {
      command: `echo built > out.txt; echo x > ${join(base, 'x.txt')}`,
    });
    expect(result).toMatchObject({ timedOut: false });
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('built\n');
    // Outside the workspace the command only ever sees its private /tmp, never the host's.
    expect(existsSync(join(base, 'x.txt'))).toBe(false);
  });
});
