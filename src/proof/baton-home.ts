import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Creates the Baton home if needed, with a `.gitignore` of `*` so that a home inside a
 * repository (the default `.baton/`) never shows in `git status` nor gets captured.
 */
export async function ensureBatonHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true });
  await writeFile(join(home, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
