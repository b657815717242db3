import type { BatonEvent } from '../core/events.js';
import type { Artifact } from '../proof/statements.js';
import type { Store } from '../store/store.js';
import { loadBlob, loadManifest } from '../workspace/restore.js';

type BlobReader = Pick<Store, 'getBlob'>;

async function artifact(store: BlobReader, kind: string, hash: string): Promise<Artifact> {
  const bytes = await loadBlob(store, hash, kind);
  return { kind, hash, bytes: bytes.length };
}

/**
 * The blobs a run produced or consumed, from its own events: the workspace manifest and every
 * blob it names (bundle, diff, untracked files), and the result patch.
 */
export async function collectArtifacts(
  store: BlobReader,
  runEvents: readonly BatonEvent[],
): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  for (const event of runEvents) {
    if (event.type === 'workspace.captured') {
      artifacts.push(await artifact(store, 'workspace.manifest', event.data.manifestHash));
      const manifest = await loadManifest(store, event.data.manifestHash);
      artifacts.push(await artifact(store, 'workspace.bundle', manifest.bundleHash));
      if (manifest.diffHash !== undefined)
        artifacts.push(await artifact(store, 'workspace.diff', manifest.diffHash));
      for (const entry of manifest.untracked)
        artifacts.push(await artifact(store, 'workspace.untracked', entry.hash));
    }
    if (event.type === 'workspace.patch' && event.data.patchHash !== null) {
      artifacts.push(await artifact(store, 'patch', event.data.patchHash));
    }
  }
  return artifacts;
}
