import type { CallerIdentity } from '../core/tool.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/** How far back a peer's file changes are listed. */
const RECENT_MS = 10 * 60_000;
/** The workspace tools that change files; their `path` input names the file. */
const FILE_TOOLS: ReadonlySet<string> = new Set(['write_file', 'edit_file']);
/** Running runs looked at per step: awareness is a hint, not a census. */
const MAX_RUNS = 200;

/** Another active session on the same repository, as an `awareness: 'workspace'` agent is shown it. */
export interface WorkspacePeer {
  sessionId: string;
  agent: string;
  /** The message its run works on. */
  goal: string;
  /** Files it wrote or edited in the last ten minutes, repository-relative. */
  files: string[];
}

function repositoryOf(run: RunRecord): string | undefined {
  const repository = run.input.repository;
  return typeof repository === 'string' ? repository : undefined;
}

function samePrincipal(a: CallerIdentity | undefined, b: CallerIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.kind === b.kind && a.subject === b.subject;
}

/**
 * The other sessions of `self`'s principal working on `self`'s repository right now: `workspace`
 * runs that are `running` under a live lease. A peer that ended, parked or whose worker died
 * (its lease expired) is not one.
 */
export async function workspacePeers(
  store: Store,
  self: RunRecord,
  now = Date.now(),
): Promise<WorkspacePeer[]> {
  const repository = repositoryOf(self);
  if (repository === undefined) return [];
  const principal = (await store.getSession(self.sessionId))?.auth.initiator;
  const { items } = await store.listRuns({ status: ['running'], limit: MAX_RUNS });
  const candidates = items.filter(
    (run) =>
      run.kind === 'workspace' &&
      run.sessionId !== self.sessionId &&
      repositoryOf(run) === repository &&
      run.lease !== null &&
      run.lease.expiresAt > now,
  );
  const peers: WorkspacePeer[] = [];
  for (const run of candidates) {
    const session = await store.getSession(run.sessionId);
    if (!samePrincipal(session?.auth.initiator, principal)) continue;
    const started = await store.readEvents(run.sessionId, { types: ['tool.started'] });
    const files = new Set<string>();
    for (const event of started) {
      if (event.type !== 'tool.started' || !FILE_TOOLS.has(event.data.name)) continue;
      const path = (event.data.input as { path?: unknown } | null)?.path;
      if (typeof path === 'string' && Date.parse(event.ts) >= now - RECENT_MS) files.add(path);
    }
    const goal = typeof run.input.message === 'string' ? run.input.message : '';
    peers.push({ sessionId: run.sessionId, agent: run.agent, goal, files: [...files].sort() });
  }
  return peers;
}

/** The instructions block listing `peers`; undefined when there are none (the block disappears). */
export function awarenessBlock(peers: readonly WorkspacePeer[]): string | undefined {
  if (peers.length === 0) return undefined;
  const lines = peers.map(
    (peer) =>
      `- ${peer.agent} (session ${peer.sessionId}): ${JSON.stringify(peer.goal)}; modified recently: ${
        peer.files.length === 0 ? 'nothing' : peer.files.join(', ')
      }`,
  );
  return [
    '<workspace-peers>',
    'Other sessions of yours are working on this repository now; avoid editing the files they change:',
    ...lines,
    '</workspace-peers>',
  ].join('\n');
}
