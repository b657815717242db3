import { stat } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LimitExceededError } from '../../core/errors.js';
import { type AnyTool, tool } from '../../core/tool.js';
import { resolveInside } from '../safe-path.js';
import type { GrepRequest, GrepResult } from './grep-files.js';
import { fileAt, requireFileOrDirectory } from './regular-file.js';
import { walkFiles } from './walk-files.js';
import { runWorkerTask } from './worker-task.js';

/** Options of {@link searchTools}. */
export interface SearchToolsOptions {
  /** Longest one `grep` may search (default 30 s); past it the call fails with `grep_timeout`. */
  timeoutMs?: number;
}

const MAX_LISTED = 2000;
const DEFAULT_GREP_TIMEOUT_MS = 30_000;
/** grep-worker.ts next to this module, or grep-worker.js in the build. */
const GREP_WORKER = new URL(`./grep-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * `list_files` and `grep`, bound to one workspace root. `grep` runs on a worker thread with a
 * linear-time engine and a time limit, so no pattern or glob can wedge the calling process.
 */
export function searchTools(root: string, options: SearchToolsOptions = {}): AnyTool[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GREP_TIMEOUT_MS;
  return [
    tool({
      name: 'list_files',
      description: 'List files under a workspace directory (default: the root), recursively, skipping .git.',
      inputSchema: z.object({ path: z.string().optional() }),
      idempotent: true,
      async execute({ path }) {
        const shown = path ?? '.';
        const start = await resolveInside(root, shown);
        const info = await fileAt(start);
        if (info) requireFileOrDirectory(info, shown);
        if (info?.isFile()) return { files: [relative(root, start)], truncated: false };
        return walkFiles(root, start, MAX_LISTED);
      },
    }),
    tool({
      name: 'grep',
      description:
        'Search workspace files for a regular expression (RE2 syntax: JavaScript-like, without lookaround or backreferences). Optional `path` (directory or file) and `glob` (e.g. "**/*.ts") narrow the search.',
      inputSchema: z.object({
        pattern: z.string().min(1),
        path: z.string().optional(),
        glob: z.string().optional(),
      }),
      idempotent: true,
      async execute({ pattern, path, glob }, context) {
        const shown = path ?? '.';
        const start = await resolveInside(root, shown);
        const info = await stat(start);
        requireFileOrDirectory(info, shown);
        const request: GrepRequest = {
          root,
          start,
          startIsFile: info.isFile(),
          pattern,
          ...(glob !== undefined && { glob }),
        };
        return runWorkerTask<GrepResult>(GREP_WORKER, request, {
          signal: context.signal,
          timeoutMs,
          timeoutError: () =>
            new LimitExceededError(
              'grep_timeout',
              `grep did not finish within ${timeoutMs} ms; narrow it with path or glob`,
            ),
        });
      },
    }),
  ];
}
