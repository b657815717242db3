import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** Zeros written per call: 1 MiB keeps the buffer small and the syscalls few. */
const CHUNK = Buffer.alloc(1 << 20);

/** A WAL file's header, and each frame's header before its page (https://sqlite.org/fileformat.html#walformat). */
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** Never more than this is written out, whatever the page size (64 MiB pages of 4 KiB at the backstop). */
const MAX_PREWRITE_BYTES = 64 * 1024 * 1024 + 512 * 1024;
/** Free space left on the file system after the write out; below it, nothing is written. */
const FREE_SPACE_MARGIN_BYTES = 512 * 1024 * 1024;

/** The size of a WAL holding `pages` frames of `pageSize` bytes (capped): where a WAL checkpointed at `pages` stops growing. */
export function walBytes(pages: number, pageSize: number): number {
  return Math.min(MAX_PREWRITE_BYTES, WAL_HEADER_BYTES + pages * (FRAME_HEADER_BYTES + pageSize));
}

/**
 * Writes zeros past the end of the WAL file `walPath` until it is `bytes` long (a file already
 * that long, or a missing one, is left alone). An fsync'd commit that appends to a growing file
 * makes the file system journal its new size and blocks too, which on ext4 costs about as much
 * again as the commit's own write; one that overwrites blocks written before does not. SQLite
 * reuses a WAL from its start after each restart and never shrinks it (Baton sets no
 * `journal_size_limit`), so after the first fill every commit overwrites: writing the file to
 * that size up front makes the first fill as cheap as the rest.
 *
 * Safe only under the database's write lock: no connection appends frames meanwhile, and only
 * bytes past the end are written, so no frame is touched. Zeros are never read as frames: a
 * frame counts only if its salts match the WAL header's and its checksum chains on, and a
 * zero header is no header (SQLite writes one with the first frame).
 */
export function prewriteWal(walPath: string, bytes: number): void {
  let fd: number;
  try {
    // Never through a symlink planted at the WAL's path (SQLite opens its files O_NOFOLLOW too).
    fd = openSync(walPath, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch {
    // No WAL file (yet): SQLite creates it with the first write, and there is nothing to keep.
    return;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.nlink !== 1 || stat.size >= bytes) return;
    // Not the last free space of a nearly full disk: checkpoints need room to grow the database.
    const free = statfsSync(dirname(walPath));
    if (free.bavail * free.bsize < bytes - stat.size + FREE_SPACE_MARGIN_BYTES) return;
    let size = stat.size;
    try {
      while (size < bytes) size += writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, bytes - size), size);
      // Durable now, so the first commit's fsync does not flush all of it.
      fdatasyncSync(fd);
    } catch (error) {
      // Back to the size it had (only zeros past it): the space goes back to the file system.
      ftruncateSync(fd, stat.size);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}
