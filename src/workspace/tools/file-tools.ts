import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { type AnyTool, tool } from '../../core/tool.js';
import { FileTooLargeError } from '../errors.js';
import { resolveInside } from '../safe-path.js';
import { readRegularFile, writeRegularFile } from './regular-file.js';

/** Largest file `read_file` returns whole; longer files are cut and flagged `truncated`. */
const MAX_READ_BYTES = 256 * 1024;
/** Largest file `write_file` writes and `edit_file` edits (the capture's limit for an untracked file). */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Refuses content that would make `path` a file past {@link MAX_FILE_BYTES}. */
function requireWithinFileLimit(path: string, bytes: number): void {
  if (bytes > MAX_FILE_BYTES) throw new FileTooLargeError(path, bytes, MAX_FILE_BYTES);
}

/**
 * `read_file`, `write_file` and `edit_file`, bound to one workspace root. They open regular
 * files only: a FIFO, socket or device is `not_a_regular_file`, refused without blocking.
 */
export function fileTools(root: string): AnyTool[] {
  return [
    tool({
      name: 'read_file',
      description: 'Read a UTF-8 text file of the workspace. `path` is relative to the workspace root.',
      inputSchema: z.object({ path: z.string().min(1) }),
      idempotent: true,
      async execute({ path }) {
        const { bytes, size } = await readRegularFile(await resolveInside(root, path), path, MAX_READ_BYTES);
        return { path, content: bytes.toString('utf8'), truncated: size > MAX_READ_BYTES };
      },
    }),
    tool({
      name: 'write_file',
      description:
        'Create or overwrite a file of the workspace with `content`; parent directories are created.',
      inputSchema: z.object({ path: z.string().min(1), content: z.string() }),
      idempotent: true,
      async execute({ path, content }) {
        requireWithinFileLimit(path, Buffer.byteLength(content));
        const target = await resolveInside(root, path);
        await mkdir(dirname(target), { recursive: true });
        // Re-check after creating parents: a parent may have been a symlink planted out of the root.
        await writeRegularFile(await resolveInside(root, path), path, content);
        return { path, bytes: Buffer.byteLength(content) };
      },
    }),
    tool({
      name: 'edit_file',
      description:
        'Replace the exact text `old_string` with `new_string` in a workspace file. Fails unless `old_string` occurs exactly once.',
      inputSchema: z.object({
        path: z.string().min(1),
        old_string: z.string().min(1),
        new_string: z.string(),
      }),
      async execute({ path, old_string: oldString, new_string: newString }) {
        const target = await resolveInside(root, path);
        // Read one byte past the limit: enough to know the file is too large without loading it.
        const { bytes, size } = await readRegularFile(target, path, MAX_FILE_BYTES + 1);
        requireWithinFileLimit(path, size);
        const content = bytes.toString('utf8');
        const occurrences = content.split(oldString).length - 1;
        if (occurrences !== 1) {
          throw new UserError(
            occurrences === 0 ? 'edit_no_match' : 'edit_ambiguous',
            `old_string occurs ${occurrences} times in ${path}; it must occur exactly once`,
          );
        }
        const index = content.indexOf(oldString);
        requireWithinFileLimit(path, size - Buffer.byteLength(oldString) + Buffer.byteLength(newString));
        await writeRegularFile(
          target,
          path,
          content.slice(0, index) + newString + content.slice(index + oldString.length),
        );
        return { path, replaced: 1 };
      },
    }),
  ];
}
