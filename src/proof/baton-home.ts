import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectories } from '../core/make-directories.js';

/**
 * Creates the Baton home if needed, mode `0700` (it holds the signing keys and, by default, the
 * store), with a `.gitignore` of `*` so that a home inside a repository (the default `.baton/`)
 * never shows in `git status` nor gets captured. An existing home keeps the mode it has.
 */
export async function ensureBatonHome(home: string): Promise<void> {
  const created = makeDirectories(home, 0o700);
  // The mode given to mkdir is filtered by the umask; make it exact for the home just made.
  if (created !== undefined) await chmod(home, 0o700);
  await writeFile(join(home, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
