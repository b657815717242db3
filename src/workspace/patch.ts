import type { BlobStore } from './blob-store.js';
import { DIFF_FORMAT, excludingPathspec, git, splitNul } from './git.js';
import { secretMatcher } from './secret-patterns.js';

/** A run's result patch: its blob (null when nothing changed) and its size. */
export interface PatchSummary {
  patchHash: string | null;
  files: number;
  insertions: number;
  deletions: number;
}

/**
 * Captures everything a run changed in a restored checkout as one binary patch against
 * `baseRef`: tracked edits and new files alike (`git add -A`, then the staged diff). Ignored
 * files and files matching secret patterns stay out of the patch.
 */
export async function capturePatch(
  checkout: string,
  baseRef: string,
  store: Pick<BlobStore, 'putBlob'>,
  options: { secretPatterns?: readonly string[]; signal?: AbortSignal } = {},
): Promise<PatchSummary> {
  const { signal } = options;
  await git(['add', '-A'], { cwd: checkout, signal });
  const changed = splitNul(
    (await git(['diff', '--cached', '--name-only', '--no-renames', '-z', baseRef], { cwd: checkout, signal }))
      .stdout,
  );
  const isSecret = secretMatcher(options.secretPatterns);
  const kept = changed.filter((path) => !isSecret(path));
  if (kept.length === 0) return { patchHash: null, files: 0, insertions: 0, deletions: 0 };
  const pathspec = excludingPathspec(changed.filter(isSecret));
  const patch = await git(['diff', '--cached', ...DIFF_FORMAT, baseRef, '--', ...pathspec], {
    cwd: checkout,
    signal,
  });
  const numstat = await git(['diff', '--cached', '--numstat', '--no-renames', baseRef, '--', ...pathspec], {
    cwd: checkout,
    signal,
  });
  let insertions = 0;
  let deletions = 0;
  for (const line of numstat.stdout.toString('utf8').split('\n')) {
    // Binary files report `-` for both counts.
    const [added, removed] = line.split('\t');
    insertions += Number(added) || 0;
    deletions += Number(removed) || 0;
  }
  return { patchHash: await store.putBlob(patch.stdout), files: kept.length, insertions, deletions };
}
