import { closeSync, fdatasyncSync, fstatSync, openSync, writeSync } from 'node:fs';

/** Zeros written per call: 1 MiB keeps the buffer small and the syscalls few. */
const CHUNK = Buffer.alloc(1 << 20);

/** A WAL file's header, and each frame's header before its page (https://sqlite.org/fileformat.html#walformat). */
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** The size of a WAL holding `pages` frames of `pageSize` bytes: where a WAL checkpointed at `pages` stops growing. */
export function walBytes(pages: number, pageSize: number): number {
  return WAL_HEADER_BYTES + pages * (FRAME_HEADER_BYTES + pageSize);
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
    fd = openSync(walPath, 'r+');
  } catch {
    // No WAL file (yet): SQLite creates it with the first write, and there is nothing to keep.
    return;
  }
  try {
    let size = fstatSync(fd).size;
    if (size >= bytes) return;
    while (size < bytes) size += writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, bytes - size), size);
    // Durable now, so the first commit's fsync does not flush all of it.
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
