import { randomUUID } from 'node:crypto';
import { chmod, link, rm, writeFile } from 'node:fs/promises';

/**
 * Creates `path` holding `contents`, with exactly `mode`, unless it exists; true when this call
 * created it. The file is written whole under a name of its own, then hard-linked into place:
 * a link fails when the path exists, so of several processes creating it at once exactly one
 * wins, and none ever finds a file still being written (it finds no file, or the whole one).
 */
export async function createFileOnce(path: string, contents: string, mode: number): Promise<boolean> {
  const written = `${path}.${process.pid}.${randomUUID()}`;
  await writeFile(written, contents, { mode, flag: 'wx' });
  try {
    // The mode given to writeFile is filtered by the umask; make it exact.
    await chmod(written, mode);
    await link(written, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await rm(written, { force: true });
  }
}
