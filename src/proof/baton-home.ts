import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The Baton home: the directory that holds the database and `keys/`. `BATON_HOME` wins;
 * otherwise the directory of a SQLite database path (`--db` or `BATON_DB`); otherwise `.baton/`
 * under the current directory.
 */
export function resolveBatonHome(options: { db?: string | undefined } = {}): string {
  const fromEnv = process.env.BATON_HOME;
  if (fromEnv) return resolve(fromEnv);
  const db = options.db ?? process.env.BATON_DB;
  if (db && !/^postgres(ql)?:\/\//.test(db) && db !== ':memory:') return dirname(resolve(db));
  return resolve('.baton');
}

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
