import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, stat } from 'node:fs/promises';
import { NotARegularFileError } from '../errors.js';

const { O_CREAT, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'FIFO';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special file';
}

/**
 * What is at `path`, following a final symlink (callers have checked that it stays inside the
 * workspace); undefined when nothing is there. Only `lstat`/`stat`: nothing is opened.
 */
export async function fileAt(path: string): Promise<Stats | undefined> {
  try {
    const info = await lstat(path);
    return info.isSymbolicLink() ? await stat(path) : info;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Throws {@link NotARegularFileError} (naming `shown`, the path the caller gave) for anything but a file or a directory. */
export function requireFileOrDirectory(info: Stats, shown: string): void {
  if (!info.isFile() && !info.isDirectory()) throw new NotARegularFileError(shown, kindOf(info));
}

/**
 * Opens a regular file without ever blocking: the path is checked with `lstat` first, opened
 * with `O_NONBLOCK` (an `open(2)` on a FIFO otherwise waits for a writer forever), and the
 * opened descriptor checked again, in case the path was swapped in between. Writing creates
 * the file but never truncates before that last check. `size` is the opened file's.
 */
export async function openRegularFile(
  path: string,
  shown: string,
  mode: 'read' | 'write',
): Promise<{ handle: FileHandle; size: number }> {
  const info = await fileAt(path);
  if (info && !info.isFile()) throw new NotARegularFileError(shown, kindOf(info));
  let handle: FileHandle;
  try {
    handle = await open(path, (mode === 'read' ? O_RDONLY : O_WRONLY | O_CREAT) | O_NONBLOCK, 0o666);
  } catch (error) {
    // ENXIO: a FIFO without a reader, or a socket, put there after the check.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO')
      throw new NotARegularFileError(shown, 'FIFO or socket');
    throw error;
  }
  const opened = await handle.stat();
  if (!opened.isFile()) {
    await handle.close();
    throw new NotARegularFileError(shown, kindOf(opened));
  }
  return { handle, size: opened.size };
}

/** Reads at most `maxBytes` of a regular file (see {@link openRegularFile}); `size` is the whole file's. */
export async function readRegularFile(
  path: string,
  shown: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ bytes: Buffer; size: number }> {
  const { handle, size } = await openRegularFile(path, shown, 'read');
  try {
    if (!Number.isFinite(maxBytes)) return { bytes: await handle.readFile(), size };
    const bytes = Buffer.alloc(Math.min(size, maxBytes));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), size };
  } finally {
    await handle.close();
  }
}

/** Replaces the content of a regular file, creating it (see {@link openRegularFile}). */
export async function writeRegularFile(path: string, shown: string, content: string): Promise<void> {
  const { handle } = await openRegularFile(path, shown, 'write');
  try {
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
