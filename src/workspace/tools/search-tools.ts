import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { type AnyTool, tool } from '../../core/tool.js';
import { resolveInside } from '../safe-path.js';

const MAX_LISTED = 2000;
const MAX_MATCHES = 200;
const MAX_GREP_FILE_BYTES = 1024 * 1024;

/** Files (not directories) under `dir`, relative to `root`, skipping `.git`; symlinks are not followed. */
async function walkFiles(
  root: string,
  dir: string,
  limit: number,
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.shift() ?? dir;
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        if (files.length >= limit) return { files: files.sort(), truncated: true };
        files.push(relative(root, full));
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

/** `list_files` and `grep`, bound to one workspace root. */
export function searchTools(root: string): AnyTool[] {
  return [
    tool({
      name: 'list_files',
      description: 'List files under a workspace directory (default: the root), recursively, skipping .git.',
      inputSchema: z.object({ path: z.string().optional() }),
      idempotent: true,
      async execute({ path }) {
        const dir = await resolveInside(root, path ?? '.');
        return walkFiles(root, dir, MAX_LISTED);
      },
    }),
    tool({
      name: 'grep',
      description:
        'Search workspace files for a JavaScript regular expression. Optional `path` (directory) and `glob` (e.g. "**/*.ts") narrow the search.',
      inputSchema: z.object({
        pattern: z.string().min(1),
        path: z.string().optional(),
        glob: z.string().optional(),
      }),
      idempotent: true,
      async execute({ pattern, path, glob }) {
        let regex: RegExp;
        try {
          regex = new RegExp(pattern);
        } catch (error) {
          throw new ValidationError(`invalid regular expression: ${(error as Error).message}`, 'pattern');
        }
        const start = await resolveInside(root, path ?? '.');
        const isMatch = glob === undefined ? () => true : picomatch(glob, { dot: true });
        const candidates = (await stat(start)).isFile()
          ? [relative(root, start)]
          : (await walkFiles(root, start, 50_000)).files;
        const matches: { path: string; line: number; text: string }[] = [];
        for (const file of candidates.filter((candidate) => isMatch(candidate))) {
          const bytes = await readFile(join(root, file));
          // Binary and very large files are skipped, as `grep -I` does.
          if (bytes.length > MAX_GREP_FILE_BYTES || bytes.includes(0)) continue;
          const lines = bytes.toString('utf8').split('\n');
          for (const [index, text] of lines.entries()) {
            if (!regex.test(text)) continue;
            matches.push({ path: file, line: index + 1, text: text.slice(0, 500) });
            if (matches.length >= MAX_MATCHES) return { matches, truncated: true };
          }
        }
        return { matches, truncated: false };
      },
    }),
  ];
}
